package shop.usb.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.api.management.mbean.ManagedRouteMBean;
import org.apache.camel.builder.NotifyBuilder;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.health.BrokerWatch;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.ops.HttpGate;
import shop.usb.pipeline.support.Manifests;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TcpProxy;
import shop.usb.pipeline.support.TestDatabase;

/**
 * The product on PostgreSQL and its broker, each reached through a TCP proxy that the test breaks:
 * an outage of the database never dead-letters an order, a database that fails fast does not make
 * job-dispatch spin, and with the broker away an HTTP submit gets a clear 503, not a hang.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResilienceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private TestDatabase database;
    private TcpProxy databaseLink;
    private TcpProxy brokerLink;
    private PipelineRuntime pipeline;
    private Manifests manifests;

    @BeforeAll
    void start(@TempDir Path root) throws Exception {
        database = TestDatabase.postgres();
        URI direct = URI.create(database.url().substring("jdbc:".length()));
        databaseLink = TcpProxy.to(direct.getHost(), direct.getPort());
        int brokerPort = PipelineRuntime.freePort();
        brokerLink = TcpProxy.to("127.0.0.1", brokerPort);
        pipeline =
                PipelineRuntime.start(
                        root,
                        database,
                        Map.ofEntries(
                                Map.entry(
                                        "pipeline.db.url",
                                        database.url()
                                                .replace(
                                                        ":" + direct.getPort() + "/",
                                                        ":" + databaseLink.port() + "/")),
                                Map.entry("pipeline.db.connection-timeout", "1s"),
                                Map.entry("pipeline.broker.port", String.valueOf(brokerPort)),
                                Map.entry(
                                        "pipeline.broker.url",
                                        "tcp://127.0.0.1:" + brokerLink.port()),
                                // Fast redeliveries, so that the old limit of five attempts would
                                // be used up within the test.
                                Map.entry("pipeline.intake.redelivery-delay", "100"),
                                Map.entry("pipeline.intake.redelivery-multiplier", "1"),
                                Map.entry("pipeline.intake.max-redelivery-delay", "100")));
        manifests = new Manifests(root.resolve("data/inbox"));
    }

    @AfterEach
    void heal() {
        databaseLink.heal();
        brokerLink.heal();
    }

    @AfterAll
    void stop() {
        pipeline.close();
        databaseLink.close();
        brokerLink.close();
    }

    @Test
    void aDatabaseOutageNeverDeadLettersAnOrder() throws Exception {
        ManagedRouteMBean intake = route("order-intake");
        long failedBefore = intake.getExchangesFailed();
        databaseLink.cut();
        for (int i = 0; i < 5; i++) {
            String orderId = "OUTAGE-" + i;
            pipeline.send(
                    "orders.confirmed",
                    session ->
                            session.createTextMessage(
                                    order(orderId).file("music/jazz/01-so-what.mp3").json()),
                    message -> message.setStringProperty("outage", "db"));
        }
        // Each order fails its intake many more times than the five attempts the broker used to
        // allow.
        Awaitility.await("intake to fail again and again while the database is away")
                .atMost(Duration.ofSeconds(60))
                .until(() -> intake.getExchangesFailed() - failedBefore >= 5 * 8);

        databaseLink.heal();

        for (int i = 0; i < 5; i++) {
            assertThat(pipeline.awaitJob("OUTAGE-" + i, JobStatus.COMPLETED).attempts())
                    .isEqualTo(1);
        }
        assertThat(pipeline.receiveDeadLetter("outage = 'db'", m -> {}))
                .as("nothing dead-lettered")
                .isNull();
    }

    @Test
    void aRunCutOffFromTheDatabaseIsRetriedWithinSecondsAndTheAttemptDoesNotCount()
            throws Exception {
        // Every round trip to the database takes a while, so the run is caught mid-way by the cut.
        databaseLink.delay(200);
        pipeline.sendText(
                "orders.confirmed", order("CUT-MID-RUN").collection("music/salsa").json());
        pipeline.awaitJob("CUT-MID-RUN", job -> job.status() == JobStatus.PROCESSING, "be running");
        databaseLink.cut();
        Awaitility.await("the run to end without its outcome written")
                .atMost(Duration.ofSeconds(30))
                .until(() -> route("job-dispatch").getExchangesInflight() == 0);
        databaseLink.heal();

        // The stalled threshold is five minutes: only this instance's own recovery can be this
        // quick.
        var job =
                Awaitility.await("the job to complete after the database is back")
                        .atMost(Duration.ofSeconds(30))
                        .ignoreExceptions()
                        .until(
                                () -> pipeline.reads().findByOrderId("CUT-MID-RUN").orElseThrow(),
                                found -> found.status() == JobStatus.COMPLETED);
        assertThat(job.attempts()).as("the attempt the outage cut off does not count").isEqualTo(1);
        assertThat(PipelineRuntime.sha256sumCheck(Path.of(job.usbMount()).resolve("CUT-MID-RUN")))
                .isZero();
        assertThat(pipeline.reads().logs(job.id(), 0))
                .anyMatch(line -> line.message().contains("does not count"));
    }

    @Test
    void jobDispatchBacksOffWhileTheDatabaseFailsFast() throws Exception {
        String jobId =
                pipeline.jobs()
                        .create(
                                "READ-ONLY-1",
                                "normal",
                                null,
                                order("READ-ONLY-1").file("music/jazz/01-so-what.mp3").json())
                        .orElseThrow();
        ManagedRouteMBean dispatch = route("job-dispatch");
        long failedBefore = dispatch.getExchangesFailed();
        readOnly(true);
        try {
            pipeline.sendText("pipeline.jobs", jobId);
            Awaitility.await("the first failed claim")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> dispatch.getExchangesFailed() > failedBefore);
            long first = System.nanoTime();
            Awaitility.await("two more failed claims")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> dispatch.getExchangesFailed() >= failedBefore + 3);

            // The jobs queue redelivers after 1 s, then 2 s: no tight loop of four threads.
            assertThat(Duration.ofNanos(System.nanoTime() - first))
                    .isGreaterThan(Duration.ofMillis(2_500));
        } finally {
            readOnly(false);
        }
        assertThat(pipeline.awaitJob("READ-ONLY-1", JobStatus.COMPLETED).attempts()).isEqualTo(1);
    }

    @Test
    void withTheBrokerAwayASubmitGetsA503AndConsumersComeBack() throws Exception {
        brokerLink.cut();
        awaitBrokerKnownAway();
        HttpResponse<String> refused = submit("BROKER-AWAY");

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        JsonNode problem = JSON.readTree(refused.body());
        assertThat(problem.path("error").asText()).isEqualTo("BROKER_UNAVAILABLE");
        assertThat(problem.path("message").asText())
                .as("refused from the watch's state, without a send")
                .contains("cannot be reached since");

        brokerLink.heal();
        // The test's own client reaches the broker directly; the product's consumers must reconnect
        // by themselves.
        pipeline.sendText(
                "orders.confirmed", order("BROKER-BACK").file("music/jazz/01-so-what.mp3").json());
        assertThat(pipeline.awaitJob("BROKER-BACK", JobStatus.COMPLETED).attempts()).isEqualTo(1);
        assertThat(
                        pipeline.http(
                                        "POST",
                                        "/api/orders",
                                        order("BROKER-BACK-HTTP")
                                                .file("music/jazz/01-so-what.mp3")
                                                .json())
                                .statusCode())
                .isEqualTo(202);
        pipeline.awaitJob("BROKER-BACK-HTTP", JobStatus.COMPLETED);
    }

    @Test
    void aManifestReadWhileTheBrokerIsAwayRecordsNoJobAndIsReadAgainOnceItIsBack()
            throws Exception {
        brokerLink.cut();
        awaitBrokerKnownAway();
        NotifyBuilder failedRead =
                new NotifyBuilder(pipeline.context())
                        .fromRoute("manifest-intake")
                        .whenFailed(1)
                        .create();
        manifests.drop(
                "away.csv",
                Manifests.HEADER
                        + "MANIFEST-AWAY,2026-11-22T10:00:00Z,low,16000000000,,"
                        + "file:music/jazz/01-so-what.mp3\n");

        assertThat(failedRead.matches(60, TimeUnit.SECONDS)).as("the read failed").isTrue();
        assertThat(pipeline.jobsOf("MANIFEST-AWAY"))
                .as("the batch's JMS transaction failed before its job was written")
                .isEmpty();

        brokerLink.heal();
        assertThat(manifests.awaitReport("done", "away.csv").path("accepted").asInt()).isOne();
        pipeline.awaitJob("MANIFEST-AWAY", JobStatus.COMPLETED);
    }

    @Test
    void aBrokerThatFallsSilentIsNoticedByThePingsOfTheWatchAlone() throws Exception {
        brokerLink.blackhole();
        // No send: the watch's own connection misses its pings.
        awaitBrokerKnownAway();
        HttpResponse<String> refused = submit("BROKER-SILENT");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(refused.body()).path("message").asText())
                .contains("cannot be reached since");
        assertThat(pipeline.management("GET", "/observe/health/ready", null, Map.of()).statusCode())
                .as("readiness reads the same state")
                .isEqualTo(503);

        brokerLink.heal();
        Awaitility.await("the watch connected again")
                .atMost(Duration.ofSeconds(60))
                .until(() -> brokerWatch().problem().isEmpty());
        // A submit the held connections still refuse is not sent: it may be tried again.
        Awaitility.await("a submit accepted once the broker answers again")
                .atMost(Duration.ofSeconds(120))
                .until(() -> submit("BROKER-SILENT-BACK").statusCode() == 202);
        pipeline.awaitJob("BROKER-SILENT-BACK", JobStatus.COMPLETED);
    }

    private HttpResponse<String> submit(String orderId) throws Exception {
        // The client waits a minute, far longer than the product's own bounded waits: how soon the
        // 503 comes is the benchmark's to measure.
        return pipeline.http(
                "POST",
                "/api/orders",
                order(orderId).file("music/jazz/01-so-what.mp3").json(),
                Map.of(HttpGate.INTENT_HEADER, "test"),
                Duration.ofSeconds(60));
    }

    private BrokerWatch brokerWatch() {
        return pipeline.context()
                .getRegistry()
                .lookupByNameAndType(BrokerWatch.BEAN_NAME, BrokerWatch.class);
    }

    private void awaitBrokerKnownAway() {
        Awaitility.await("the broker watch noticed the broker is away")
                .atMost(Duration.ofSeconds(30))
                .until(() -> brokerWatch().problem().filter(p -> p.contains("since")).isPresent());
    }

    private ManagedRouteMBean route(String routeId) {
        return pipeline.context()
                .getCamelContextExtension()
                .getContextPlugin(ManagedCamelContext.class)
                .getManagedRoute(routeId);
    }

    /**
     * A database that fails fast: as a read-only standby after a failover would, every write is
     * refused.
     */
    private void readOnly(boolean readOnly) throws Exception {
        String name = URI.create(database.url().substring("jdbc:".length())).getPath().substring(1);
        try (Connection admin =
                        DriverManager.getConnection(
                                database.url(), database.user(), database.password());
                Statement sql = admin.createStatement()) {
            sql.execute(
                    "SET default_transaction_read_only = off"); // this session itself must still
            // write
            sql.execute(
                    "ALTER DATABASE " + name + " SET default_transaction_read_only = " + readOnly);
            sql.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                            + name
                            + "' AND pid <> pg_backend_pid()");
        }
    }
}
