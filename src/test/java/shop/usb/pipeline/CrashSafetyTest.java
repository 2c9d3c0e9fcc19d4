package shop.usb.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.ProductProcess;

/**
 * The product in its own JVM, killed with SIGKILL in the middle of writes five times and started
 * again on the same data dir (embedded broker journal, H2 file): no order lost, none doubled, no
 * job left PROCESSING, every COMPLETED folder passes sha256sum -c. Stopped with SIGTERM instead, it
 * finishes the jobs it is running before it exits.
 */
class CrashSafetyTest {

    private static final Logger LOG = LoggerFactory.getLogger(CrashSafetyTest.class);
    private static final int ORDERS = 12;
    private static final int KILLS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path root;
    ProductProcess product;

    /** The product's output, one file per test under target/, kept for a failure's post-mortem. */
    Path productLog;

    int brokerPort;
    int httpPort;
    int managementPort;

    @BeforeEach
    void newProductLog(TestInfo test) throws IOException {
        productLog =
                Path.of(
                        "target",
                        "crash-test-" + test.getTestMethod().orElseThrow().getName() + ".log");
        Files.deleteIfExists(productLog);
    }

    @AfterEach
    void stopProduct() throws InterruptedException {
        if (product != null) {
            product.kill();
        }
    }

    @Test
    void killedMidWriteFiveTimesLosesAndDoublesNothing() throws Exception {
        startFirstTime();
        List<String> orderIds = sendOrders("CRASH-", ORDERS);

        for (int kill = 1; kill <= KILLS; kill++) {
            awaitAJobWriting();
            product.kill();
            LOG.info("Kill {} of {} done; starting the product again", kill, KILLS);
            start();
        }

        awaitEveryOrderCompleted(ORDERS, Duration.ofMinutes(2));
        List<JsonNode> jobs = jobs();
        Map<String, Long> jobsPerOrder =
                jobs.stream()
                        .collect(
                                Collectors.groupingBy(
                                        job -> job.path("orderId").asText(),
                                        Collectors.counting()));
        long lost = orderIds.stream().filter(id -> !jobsPerOrder.containsKey(id)).count();
        long duplicated = jobsPerOrder.values().stream().filter(count -> count > 1).count();
        LOG.info(
                "Crash test: {} orders, {} kills, lost {}, duplicated {}, attempts {}",
                ORDERS,
                KILLS,
                lost,
                duplicated,
                jobs.stream().map(job -> job.path("attempts").asInt()).toList());
        assertThat(lost).isZero();
        assertThat(duplicated).isZero();
        assertThat(jobs).hasSize(ORDERS);
        for (JsonNode job : jobs) {
            Path folder = folderOf(job);
            assertThat(PipelineRuntime.sha256sumCheck(folder))
                    .as("sha256sum -c in " + folder)
                    .isZero();
        }
        for (String mount : List.of("usb/a", "usb/b")) {
            try (var folders = Files.list(root.resolve(mount))) {
                assertThat(
                                folders.filter(
                                        folder ->
                                                jobs.stream()
                                                        .noneMatch(
                                                                job ->
                                                                        folderOf(job)
                                                                                .equals(folder))))
                        .as("partial folders left on " + mount)
                        .isEmpty();
            }
        }
    }

    @Test
    void stoppedWithSigtermFinishesItsRunningJobsFirst() throws Exception {
        startFirstTime();
        List<String> orderIds = sendOrders("STOP-", 4);
        awaitAJobWriting();

        product.close();
        String log = Files.readString(productLog);
        start();

        awaitEveryOrderCompleted(orderIds.size(), Duration.ofMinutes(1));
        assertThat(jobs())
                .as("no job ran twice: the running ones finished before the product exited")
                .allSatisfy(job -> assertThat(job.path("attempts").asInt()).isEqualTo(1));
        assertThat(log).doesNotContain("Database is already closed");
    }

    /**
     * Waits until {@code orders} jobs are COMPLETED; on timeout, fails with the unfinished ones and
     * their logs.
     */
    private void awaitEveryOrderCompleted(int orders, Duration within) throws Exception {
        try {
            Awaitility.await("every order to end")
                    .atMost(within)
                    .pollInterval(Duration.ofMillis(200))
                    .until(
                            () ->
                                    jobs().stream().filter(CrashSafetyTest::completed).count()
                                            == orders);
        } catch (ConditionTimeoutException e) {
            StringBuilder unfinished = new StringBuilder();
            for (JsonNode job : jobs()) {
                if (!completed(job)) {
                    unfinished
                            .append(job)
                            .append('\n')
                            .append(get("/api/jobs/" + job.path("id").asText() + "/logs").body())
                            .append('\n');
                }
            }
            throw new AssertionError(
                    "Orders did not all complete; unfinished jobs:\n" + unfinished, e);
        }
    }

    private static boolean completed(JsonNode job) {
        return "COMPLETED".equals(job.path("status").asText());
    }

    /** The folder a job wrote its order into. */
    private static Path folderOf(JsonNode job) {
        return Path.of(job.path("usbMount").asText()).resolve(job.path("orderId").asText());
    }

    private void awaitAJobWriting() {
        Awaitility.await("a job writing to a mount")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20))
                .until(
                        () ->
                                jobs().stream()
                                        .anyMatch(
                                                job ->
                                                        "PROCESSING"
                                                                        .equals(
                                                                                job.path("status")
                                                                                        .asText())
                                                                && "write-usb"
                                                                        .equals(
                                                                                job.path("stage")
                                                                                        .asText())));
    }

    private List<String> sendOrders(String prefix, int count) throws Exception {
        List<String> orderIds = new ArrayList<>();
        ActiveMQConnectionFactory client =
                new ActiveMQConnectionFactory(
                        "tcp://127.0.0.1:" + brokerPort,
                        PipelineRuntime.USER,
                        PipelineRuntime.PASSWORD);
        try (Connection connection = client.createConnection();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            var producer = session.createProducer(session.createQueue("orders.confirmed"));
            for (int i = 0; i < count; i++) {
                String orderId = prefix + i;
                orderIds.add(orderId);
                producer.send(session.createTextMessage(order(orderId).collection("big").json()));
            }
        }
        return orderIds;
    }

    /**
     * A library collection "big" of 40 files × 512 KiB, two mounts, free ports, then the product.
     */
    private void startFirstTime() throws IOException {
        for (int i = 0; i < 40; i++) {
            PipelineRuntime.writeRandom(
                    root.resolve(String.format("library/big/part-%02d.bin", i)), 512 * 1024);
        }
        Files.createDirectories(root.resolve("usb/a"));
        Files.createDirectories(root.resolve("usb/b"));
        brokerPort = PipelineRuntime.freePort();
        httpPort = PipelineRuntime.freePort();
        managementPort = PipelineRuntime.freePort();
        start();
    }

    private void start() throws IOException {
        product =
                ProductProcess.start(
                        List.of("-Xmx256m"),
                        Map.ofEntries(
                                Map.entry("pipeline.data.dir", root.resolve("data").toString()),
                                Map.entry(
                                        "pipeline.content.dir", root.resolve("library").toString()),
                                Map.entry(
                                        "pipeline.usb.mounts",
                                        root.resolve("usb/a") + "," + root.resolve("usb/b")),
                                Map.entry("pipeline.usb.require-mount", "false"),
                                Map.entry("pipeline.usb.slot-kind", "folder"),
                                Map.entry("pipeline.broker.port", String.valueOf(brokerPort)),
                                Map.entry("camel.server.port", String.valueOf(httpPort)),
                                Map.entry("camel.management.port", String.valueOf(managementPort)),
                                Map.entry("pipeline.instance.id", "crash-test"),
                                Map.entry("pipeline.retry.max-attempts", "20"),
                                Map.entry("pipeline.retry.delays", "200ms"),
                                Map.entry("pipeline.progress.interval", "100ms"),
                                Map.entry("pipeline.stalled.check-interval", "1s"),
                                Map.entry("pipeline.dispatch.overdue-after", "2s")),
                        productLog);
    }

    private List<JsonNode> jobs() throws Exception {
        List<JsonNode> jobs = new ArrayList<>();
        JSON.readTree(get("/api/jobs?limit=500").body()).path("jobs").forEach(jobs::add);
        return jobs;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return product.get(path);
    }
}
