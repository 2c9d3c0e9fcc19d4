package shop.usb.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.order;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.support.PipelineRuntime;

/**
 * The product in its own JVM, killed with SIGKILL in the middle of writes five times and started
 * again on the same data dir (embedded broker journal, H2 file): no order lost, none doubled, no
 * job left PROCESSING, every COMPLETED folder passes sha256sum -c.
 */
class CrashSafetyTest {

    private static final Logger LOG = LoggerFactory.getLogger(CrashSafetyTest.class);
    private static final int ORDERS = 12;
    private static final int KILLS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;
    Process product;
    int brokerPort;
    int httpPort;
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stopProduct() {
        if (product != null) {
            product.destroyForcibly();
        }
    }

    @Test
    void killedMidWriteFiveTimesLosesAndDoublesNothing() throws Exception {
        for (int i = 0; i < 40; i++) {
            PipelineRuntime.writeRandom(root.resolve(String.format("library/big/part-%02d.bin", i)), 512 * 1024);
        }
        Files.createDirectories(root.resolve("usb/a"));
        Files.createDirectories(root.resolve("usb/b"));
        brokerPort = PipelineRuntime.freePort();
        httpPort = PipelineRuntime.freePort();
        start();
        List<String> orderIds = new ArrayList<>();
        ActiveMQConnectionFactory client = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + brokerPort,
                PipelineRuntime.USER, PipelineRuntime.PASSWORD);
        try (Connection connection = client.createConnection();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            var producer = session.createProducer(session.createQueue("orders.confirmed"));
            for (int i = 0; i < ORDERS; i++) {
                String orderId = "CRASH-" + i;
                orderIds.add(orderId);
                producer.send(session.createTextMessage(order(orderId).collection("big").json()));
            }
        }

        for (int kill = 1; kill <= KILLS; kill++) {
            Awaitility.await("a job writing to a mount").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> jobs().stream().anyMatch(job -> "PROCESSING".equals(job.path("status").asText())
                            && "write-usb".equals(job.path("stage").asText())));
            product.destroyForcibly().waitFor();
            LOG.info("Kill {} of {} done; starting the product again", kill, KILLS);
            start();
        }

        try {
            Awaitility.await("every order to end").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .until(() -> jobs().stream().filter(job -> "COMPLETED".equals(job.path("status").asText()))
                            .count() == ORDERS);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder unfinished = new StringBuilder();
            for (JsonNode job : jobs()) {
                if (!"COMPLETED".equals(job.path("status").asText())) {
                    unfinished.append(job).append('\n').append(get("/api/jobs/" + job.path("id").asText() + "/logs")
                            .body()).append('\n');
                }
            }
            throw new AssertionError("Orders did not all complete; unfinished jobs:\n" + unfinished, e);
        }
        List<JsonNode> jobs = jobs();
        Map<String, Long> jobsPerOrder = jobs.stream()
                .collect(Collectors.groupingBy(job -> job.path("orderId").asText(), Collectors.counting()));
        long lost = orderIds.stream().filter(id -> !jobsPerOrder.containsKey(id)).count();
        long duplicated = jobsPerOrder.values().stream().filter(count -> count > 1).count();
        LOG.info("Crash test: {} orders, {} kills, lost {}, duplicated {}, attempts {}", ORDERS, KILLS, lost,
                duplicated, jobs.stream().map(job -> job.path("attempts").asInt()).toList());
        assertThat(lost).isZero();
        assertThat(duplicated).isZero();
        assertThat(jobs).hasSize(ORDERS);
        for (JsonNode job : jobs) {
            Path folder = Path.of(job.path("usbMount").asText()).resolve(job.path("orderId").asText());
            assertThat(PipelineRuntime.sha256sumCheck(folder)).as("sha256sum -c in " + folder).isZero();
        }
        for (String mount : List.of("usb/a", "usb/b")) {
            try (var folders = Files.list(root.resolve(mount))) {
                assertThat(folders.filter(folder -> jobs.stream().noneMatch(job ->
                        Path.of(job.path("usbMount").asText()).resolve(job.path("orderId").asText()).equals(folder))))
                        .as("partial folders left on " + mount).isEmpty();
            }
        }
    }

    private void start() throws IOException {
        // An empty entry would put the working directory (the repository root, with routes/) on the classpath.
        String classpath = java.util.Arrays.stream(System.getProperty("surefire.test.class.path",
                System.getProperty("java.class.path")).split(java.io.File.pathSeparator))
                .filter(entry -> !entry.isBlank()).collect(Collectors.joining(java.io.File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp", classpath));
        command.addAll(List.of(
                "-Dpipeline.data.dir=" + root.resolve("data"),
                "-Dpipeline.content.dir=" + root.resolve("library"),
                "-Dpipeline.usb.mounts=" + root.resolve("usb/a") + "," + root.resolve("usb/b"),
                "-Dpipeline.broker.port=" + brokerPort,
                "-Dcamel.server.port=" + httpPort,
                "-Dpipeline.instance.id=crash-test",
                "-Dpipeline.retry.max-attempts=20",
                "-Dpipeline.retry.delays=200ms",
                "-Dpipeline.progress.interval=100ms",
                "-Dpipeline.stalled.check-interval=1s",
                "-Dpipeline.dispatch.overdue-after=2s"));
        command.add(PipelineApplication.class.getName());
        product = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "crash-test-product.log").toFile()))
                .start();
        Awaitility.await("the product to answer").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> get("/api/queue").statusCode() == 200);
    }

    private List<JsonNode> jobs() throws Exception {
        List<JsonNode> jobs = new ArrayList<>();
        JSON.readTree(get("/api/jobs?limit=500").body()).forEach(jobs::add);
        return jobs;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

}
