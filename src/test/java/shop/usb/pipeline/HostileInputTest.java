package shop.usb.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static shop.usb.pipeline.support.Orders.ORDERS;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.OutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQQueue;
import org.apache.camel.builder.NotifyBuilder;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.content.ContentLibrary;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.JobView;
import shop.usb.pipeline.ops.HttpGate;
import shop.usb.pipeline.support.Manifests;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;

/**
 * Input from outside is hostile: one case per rule. Each case asserts the specific refusal (its
 * status or error code), then that the product still serves: a good order still completes. The
 * suite prints how many cases ran and how many were refused cleanly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JOBS = "pipeline.jobs";
    private static final int MAX_BYTES = 65_536;

    /** Set by {@link Tripwire#readObject}: a hostile ObjectMessage was deserialised in this JVM. */
    static final AtomicBoolean DESERIALISED = new AtomicBoolean();

    private final AtomicInteger ran = new AtomicInteger();
    private final AtomicInteger refusedCleanly = new AtomicInteger();
    private PipelineRuntime pipeline;
    private int goodOrders;

    @BeforeAll
    void startPipeline(@TempDir Path root) throws Exception {
        pipeline =
                PipelineRuntime.start(
                        root,
                        TestDatabase.h2(root.resolve("db")),
                        Map.of(
                                "pipeline.intake.max-bytes", String.valueOf(MAX_BYTES),
                                "pipeline.order.max-content-entries", "20",
                                "pipeline.order.max-files", "10",
                                "pipeline.order.max-bytes", "1000000",
                                "pipeline.manifest.poll-interval", "200ms",
                                "pipeline.live-events.stream-lifetime", "3s"));
        for (int i = 0; i < 11; i++) {
            PipelineRuntime.writeRandom(
                    pipeline.library().resolve("many/track-" + i + ".mp3"), 100);
        }
        PipelineRuntime.writeRandom(pipeline.library().resolve("big/part-1.bin"), 600_000);
        PipelineRuntime.writeRandom(pipeline.library().resolve("big/part-2.bin"), 600_000);
        PipelineRuntime.writeRandom(pipeline.library().resolve("odd/back\\slash.mp3"), 1_000);
        PipelineRuntime.writeRandom(pipeline.library().resolve("odd/new\nline.mp3"), 1_000);
    }

    @AfterAll
    void report() {
        System.out.printf(
                "Hostile input: %d cases ran, %d refused cleanly with the product still serving%n",
                ran.get(), refusedCleanly.get());
        pipeline.close();
    }

    @AfterEach
    void countCase() {
        ran.incrementAndGet();
    }

    // ---------- HTTP ----------

    @Test
    void queryParametersAndRequestHeadersNeverBecomeResponseHeaders() throws Exception {
        HttpResponse<String> answer =
                pipeline.http(
                        "GET",
                        "/api/queue?Access-Control-Allow-Origin=https://evil.example"
                                + "&Set-Cookie=x%3D1&Content-Type=text/html&Location=https://evil.example",
                        null,
                        Map.of("X-Evil", "1", "Access-Control-Request-Method", "POST"));

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().map().keySet())
                .map(String::toLowerCase)
                .doesNotContain(
                        "access-control-allow-origin",
                        "set-cookie",
                        "location",
                        "x-evil",
                        "access-control-request-method");
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(answer.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        stillServes();
    }

    @Test
    void aCrossSiteChangeIsRefused() throws Exception {
        String jobId = completedJob();
        Map<String, String> fromElsewhere =
                Map.of(
                        "Origin",
                        "https://evil.example",
                        "Content-Type",
                        "text/plain",
                        HttpGate.INTENT_HEADER,
                        "x");
        HttpResponse<String> byOrigin =
                pipeline.http("POST", "/api/jobs/" + jobId + "/cancel", "x", fromElsewhere);
        HttpResponse<String> byFetchSite =
                pipeline.http(
                        "POST",
                        "/api/jobs/" + jobId + "/retry",
                        null,
                        Map.of("Sec-Fetch-Site", "cross-site", HttpGate.INTENT_HEADER, "x"));
        HttpResponse<String> sameSiteOtherPort =
                pipeline.http(
                        "POST",
                        "/api/jobs/" + jobId + "/retry",
                        null,
                        Map.of("Origin", "http://127.0.0.1:8090", HttpGate.INTENT_HEADER, "x"));

        for (HttpResponse<String> refused :
                new HttpResponse[] {byOrigin, byFetchSite, sameSiteOtherPort}) {
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("CROSS_SITE_REQUEST");
        }
        assertThat(
                        pipeline.http(
                                        "GET",
                                        "/api/jobs",
                                        null,
                                        Map.of("Origin", "https://evil.example"))
                                .statusCode())
                .as("reads from another site too")
                .isEqualTo(403);
        stillServes();
    }

    @Test
    void aChangeWithoutTheIntentHeaderIsRefusedWhatEverItsPathLooksLike() throws Exception {
        String jobId = completedJob();
        HttpResponse<String> plain =
                pipeline.http("POST", "/api/jobs/" + jobId + "/cancel", null, Map.of());
        assertThat(plain.statusCode()).isEqualTo(403);
        assertThat(plain.body()).contains("INTENT_HEADER_MISSING");
        // Spelled otherwise, the path reaches no handler or is refused alike; it never acts.
        for (String path :
                new String[] {
                    "//api/jobs/" + jobId + "/cancel",
                    "/api/./jobs/" + jobId + "/cancel",
                    "/%61pi/jobs/" + jobId + "/cancel",
                    "/api/jobs/../jobs/" + jobId + "/cancel"
                }) {
            assertThat(pipeline.http("POST", path, null, Map.of()).statusCode())
                    .as(path)
                    .isIn(400, 403, 404);
        }
        stillServes();
    }

    @Test
    void aForeignHostNameIsRefused() throws Exception {
        for (String path : new String[] {"/api/jobs", "/"}) {
            String answer =
                    raw(
                            "GET "
                                    + path
                                    + " HTTP/1.1\r\nHost: rebound.evil.example:"
                                    + pipeline.httpPort()
                                    + "\r\nConnection: close\r\n\r\n");
            assertThat(answer).as(path).startsWith("HTTP/1.1 403").contains("HOST_NOT_ALLOWED");
        }
        // The management server too: its metrics and health must not be read through a name
        // rebound to this machine.
        for (String path : new String[] {"/observe/metrics", "/observe/health"}) {
            String answer =
                    raw(
                            pipeline.managementPort(),
                            "GET "
                                    + path
                                    + " HTTP/1.1\r\nHost: rebound.evil.example:"
                                    + pipeline.managementPort()
                                    + "\r\nConnection: close\r\n\r\n");
            assertThat(answer).as(path).startsWith("HTTP/1.1 403").contains("HOST_NOT_ALLOWED");
        }
        assertThat(pipeline.management("GET", "/observe/metrics", null, Map.of()).statusCode())
                .as("this machine's own name still reads them")
                .isEqualTo(200);
        stillServes();
    }

    @Test
    void anOversizedBodyIsRefusedBeforeItIsRead() throws Exception {
        HttpResponse<String> tooLarge =
                pipeline.http("POST", "/api/orders", "x".repeat(MAX_BYTES + 1));
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        // Announced, never sent: the answer comes before any body byte.
        String announced =
                raw(
                        "POST /api/orders HTTP/1.1\r\nHost: 127.0.0.1:"
                                + pipeline.httpPort()
                                + "\r\nContent-Type: application/json\r\nX-Requested-By: x\r\nContent-Length: 10000000000\r\n\r\n");
        assertThat(announced).startsWith("HTTP/1.1 413");
        stillServes();
    }

    @Test
    void tooManyContentEntriesAreRefusedAtTheApi() throws Exception {
        var order = order("HOSTILE-ENTRIES-HTTP");
        for (int i = 0; i < 21; i++) {
            order.file("music/jazz/" + i + ".mp3");
        }
        HttpResponse<String> refused = pipeline.http("POST", "/api/orders", order.json());

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body())
                .contains("TOO_MANY_CONTENT_ENTRIES")
                .contains("more than 20 different entries");
        stillServes();
    }

    @Test
    void theDashboardIsServedUnderAContentSecurityPolicy() throws Exception {
        HttpResponse<String> page = pipeline.http("GET", "/", null, Map.of());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(
                        csp ->
                                assertThat(csp)
                                        .contains("frame-ancestors 'none'")
                                        .contains("script-src 'self'")
                                        .doesNotContain("unsafe"));
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        stillServes();
    }

    // ---------- JMS ----------

    @Test
    void anObjectMessageConfirmationIsDeadLetteredUnread() throws Exception {
        pipeline.sendObject(ORDERS, new Tripwire());

        Message dead =
                pipeline.receiveDeadLetter(
                        "pipelineErrorCode = 'UNSUPPORTED_MESSAGE_TYPE'", m -> {});
        assertThat(dead).isNotNull();
        assertThat(DESERIALISED).isFalse();
        stillServes();
    }

    @Test
    void aJobMessageThatIsNoJobIdIsDeadLetteredOnceAndUnread() throws Exception {
        pipeline.sendObject(JOBS, new Tripwire());
        assertThat(pipeline.receiveDeadLetter("pipelineErrorCode = 'INVALID_JOB_MESSAGE'", m -> {}))
                .as("an ObjectMessage")
                .isNotNull();
        assertThat(DESERIALISED).isFalse();

        pipeline.send(JOBS, session -> session.createTextMessage(null));
        assertThat(pipeline.receiveDeadLetter("pipelineErrorCode = 'INVALID_JOB_MESSAGE'", m -> {}))
                .as("a null body")
                .isNotNull();
        pipeline.sendText(JOBS, "'; DROP TABLE processing_jobs; --");
        assertThat(pipeline.receiveDeadLetter("pipelineErrorCode = 'INVALID_JOB_MESSAGE'", m -> {}))
                .as("text that is no job id")
                .isNotNull();
        stillServes();
    }

    @Test
    void jmsReplyToIsIgnored() throws Exception {
        String orderId = "HOSTILE-REPLY-TO";
        pipeline.send(
                ORDERS,
                session ->
                        session.createTextMessage(
                                order(orderId).file("music/jazz/01-so-what.mp3").json()),
                message -> message.setJMSReplyTo(new ActiveMQQueue("hostile.replies")));
        pipeline.awaitJob(orderId, JobStatus.COMPLETED);

        try (Connection connection = client().createConnection();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            connection.start();
            MessageConsumer replies =
                    session.createConsumer(session.createQueue("hostile.replies"));
            assertThat(replies.receive(1000))
                    .as("nothing was sent to the reply-to address")
                    .isNull();
        }
        stillServes();
    }

    @Test
    void anOversizedTextMessageIsRefusedFromItsEncodedSize() throws Exception {
        pipeline.sendText(
                ORDERS, "{\"orderId\":\"HOSTILE-HUGE\",\"pad\":\"" + "x".repeat(MAX_BYTES) + "\"}");

        Message dead =
                pipeline.receiveDeadLetter("pipelineErrorCode = 'MESSAGE_TOO_LARGE'", m -> {});
        assertThat(dead).isNotNull();
        assertThat(dead.getStringProperty("pipelineErrorMessage"))
                .contains("holds up to")
                .contains("characters");
        assertThat(pipeline.jobsOf("HOSTILE-HUGE")).isEmpty();
        stillServes();
    }

    @Test
    void bytesThatAreNotUtf8AreRefused() throws Exception {
        pipeline.sendBytes(
                ORDERS, new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'});

        Message dead = pipeline.receiveDeadLetter("pipelineErrorCode = 'NOT_JSON'", m -> {});
        assertThat(dead.getStringProperty("pipelineErrorMessage")).contains("UTF-8");
        stillServes();
    }

    @Test
    void deeplyNestedJsonIsRefusedWhileParsing() throws Exception {
        pipeline.sendText(
                ORDERS,
                "{\"orderId\":\"HOSTILE-DEEP\",\"x\":"
                        + "[".repeat(5_000)
                        + "]".repeat(5_000)
                        + "}");

        Message dead = pipeline.receiveDeadLetter("pipelineErrorCode = 'NOT_JSON'", m -> {});
        assertThat(dead.getStringProperty("pipelineErrorMessage")).contains("nesting depth");
        stillServes();
    }

    @Test
    void messageHeadersFromOutsideReachNoEndpoint() throws Exception {
        String orderId = "HOSTILE-HEADERS";
        pipeline.send(
                ORDERS,
                session ->
                        session.createTextMessage(
                                order(orderId).file("music/jazz/01-so-what.mp3").json()),
                message -> {
                    message.setStringProperty("CamelFileName", "../../escaped.txt");
                    message.setStringProperty("CamelJmsDestinationName", "hostile.redirected");
                    message.setStringProperty("CamelHttpResponseCode", "500");
                });
        JobView job = pipeline.awaitJob(orderId, JobStatus.COMPLETED);

        assertThat(Path.of(job.usbMount()).resolve(orderId).resolve("music/jazz/01-so-what.mp3"))
                .exists();
        assertThat(Path.of(job.usbMount()).resolveSibling("escaped.txt")).doesNotExist();
        try (Connection connection = client().createConnection();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            connection.start();
            assertThat(
                            session.createConsumer(session.createQueue("hostile.redirected"))
                                    .receive(1000))
                    .isNull();
        }
        stillServes();
    }

    // ---------- what an order may ask for ----------

    @Test
    void pathsOutOfTheLibraryAreRefused() throws Exception {
        pipeline.sendText(
                ORDERS, order("HOSTILE-TRAVERSAL").file("music/../../outside/secret.txt").json());
        pipeline.sendText(ORDERS, order("HOSTILE-ABSOLUTE").file("/etc/passwd").json());
        pipeline.sendText(ORDERS, order("HOSTILE-LINK").file("music/leak").json());

        for (String orderId :
                new String[] {"HOSTILE-TRAVERSAL", "HOSTILE-ABSOLUTE", "HOSTILE-LINK"}) {
            JobView job = pipeline.awaitJob(orderId, JobStatus.FAILED);
            assertThat(job.errorCode()).as(orderId).isEqualTo("PATH_OUTSIDE_LIBRARY");
            assertThat(job.errorMessage()).as(orderId).contains("content[0].file");
        }
        stillServes();
    }

    @Test
    void tooManyContentEntriesAreRefusedBeforeTheLibraryIsWalked() throws Exception {
        var order = order("HOSTILE-ENTRIES");
        for (int i = 0; i < 21; i++) {
            order.collection("many/" + i);
        }
        pipeline.sendText(ORDERS, order.json());

        JobView job = pipeline.awaitJob("HOSTILE-ENTRIES", JobStatus.FAILED);
        assertThat(job.errorCode()).isEqualTo("TOO_MANY_CONTENT_ENTRIES");
        assertThat(job.errorMessage()).contains("content").contains("at most 20");
        stillServes();
    }

    @Test
    void repeatedEntriesCountOnce() throws Exception {
        var order = order("HOSTILE-REPEATS");
        for (int i = 0; i < 20; i++) {
            order.file("music/jazz/01-so-what.mp3").collection("music/salsa");
        }
        pipeline.sendText(ORDERS, order.json());

        JobView job = pipeline.awaitJob("HOSTILE-REPEATS", JobStatus.COMPLETED);
        assertThat(job.filesPlanned()).isEqualTo(4);
        stillServes();
    }

    @Test
    void aCollectionOfTooManyFilesIsRefused() throws Exception {
        pipeline.sendText(ORDERS, order("HOSTILE-FILES").collection("many").json());

        JobView job = pipeline.awaitJob("HOSTILE-FILES", JobStatus.FAILED);
        assertThat(job.errorCode()).isEqualTo("TOO_MANY_FILES");
        assertThat(job.errorMessage()).contains("more than 10 files");
        stillServes();
    }

    @Test
    void anOrderOfTooManyBytesIsRefused() throws Exception {
        pipeline.sendText(ORDERS, order("HOSTILE-BYTES").collection("big").json());

        JobView job = pipeline.awaitJob("HOSTILE-BYTES", JobStatus.FAILED);
        assertThat(job.errorCode()).isEqualTo("TOO_MANY_BYTES");
        assertThat(job.errorMessage()).contains("more than 1000000 bytes");
        stillServes();
    }

    @Test
    void aManifestOrderLargerThanAConfirmationIsSkippedUnread() throws Exception {
        StringBuilder padding = new StringBuilder("[");
        for (int i = 0; i < MAX_BYTES / 4; i++) {
            padding.append(i == 0 ? "" : ",").append("\"ab\"");
        }
        padding.append(']');
        String huge =
                order("HOSTILE-MANIFEST-HUGE")
                        .file("music/jazz/01-so-what.mp3")
                        .json()
                        .replaceFirst("\\{", "{\"padding\":" + padding + ",");
        String hugeString =
                order("HOSTILE-MANIFEST-LONG")
                        .file("music/jazz/01-so-what.mp3")
                        .json()
                        .replaceFirst("\\{", "{\"padding\":\"" + "x".repeat(MAX_BYTES + 1) + "\",");
        Manifests manifests = new Manifests(pipeline.root().resolve("data/inbox"));
        manifests.drop(
                "hostile.json",
                "[\n"
                        + order("HOSTILE-MANIFEST-1").file("music/jazz/01-so-what.mp3").json()
                        + ",\n"
                        + huge
                        + ",\n"
                        + hugeString
                        + ",\n"
                        + order("HOSTILE-MANIFEST-4").file("music/jazz/01-so-what.mp3").json()
                        + "\n]");

        JsonNode report = manifests.awaitReport("done", "hostile.json");
        assertThat(report.path("accepted").asInt()).isEqualTo(2);
        assertThat(report.path("rejectedLines").findValuesAsText("line")).containsExactly("3", "4");
        assertThat(report.path("rejectedLines").findValuesAsText("code"))
                .containsExactly("MESSAGE_TOO_LARGE", "MESSAGE_TOO_LARGE");
        pipeline.awaitJob("HOSTILE-MANIFEST-4", JobStatus.COMPLETED);
        assertThat(pipeline.jobsOf("HOSTILE-MANIFEST-HUGE")).isEmpty();
        assertThat(pipeline.jobsOf("HOSTILE-MANIFEST-LONG")).isEmpty();
        stillServes();
    }

    @Test
    void aQueryParameterOrHeaderCannotShadowWhatTheRoutesRead() throws Exception {
        String target = completedJob();
        String other = completedJob();
        for (String query :
                new String[] {
                    "?id=" + other,
                    "?CamelVertxPlatformHttpAuthenticatedUser=mallory",
                    "?pipelineErrorCode=X"
                }) {
            HttpResponse<String> refused =
                    pipeline.http("POST", "/api/jobs/" + target + "/retry" + query, null);
            assertThat(refused.statusCode()).as(query).isEqualTo(400);
            assertThat(refused.body()).contains("RESERVED_NAME").contains("query parameter");
        }
        HttpResponse<String> header =
                pipeline.http(
                        "GET",
                        "/api/slots/slot-a",
                        null,
                        Map.of("slot", "slot-b", HttpGate.INTENT_HEADER, "test"));
        assertThat(header.statusCode()).isEqualTo(400);
        assertThat(header.body()).contains("header 'slot'");
        HttpResponse<String> form =
                pipeline.http(
                        "POST",
                        "/api/jobs/" + target + "/retry",
                        "id=" + other,
                        Map.of(
                                "Content-Type",
                                "application/x-www-form-urlencoded",
                                HttpGate.INTENT_HEADER,
                                "test"));
        assertThat(form.statusCode()).as(form.body()).isEqualTo(415);
        assertThat(pipeline.http("GET", "/api/jobs/" + target + "?q=id", null).statusCode())
                .isEqualTo(200);
        stillServes();
    }

    @Test
    void oneClientHoldsNeitherEveryEventStreamNorOneForever() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest events =
                HttpRequest.newBuilder(
                                URI.create(
                                        "http://127.0.0.1:" + pipeline.httpPort() + "/api/events"))
                        .build();
        List<HttpResponse<InputStream>> open = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            open.add(client.send(events, HttpResponse.BodyHandlers.ofInputStream()));
        }
        assertThat(open).extracting(HttpResponse::statusCode).containsOnly(200);

        HttpResponse<String> fifth = client.send(events, HttpResponse.BodyHandlers.ofString());
        assertThat(fifth.statusCode()).isEqualTo(429);
        assertThat(fifth.body()).contains("TOO_MANY_STREAMS_FROM_CLIENT");

        assertTimeoutPreemptively(
                Duration.ofSeconds(30),
                () -> {
                    for (HttpResponse<InputStream> stream : open) {
                        assertThat(new String(stream.body().readAllBytes(), StandardCharsets.UTF_8))
                                .as("ended by its lifetime (3 s here)")
                                .startsWith("retry: 2000");
                    }
                });
        Awaitility.await("a stream is admitted again")
                .atMost(Duration.ofSeconds(10))
                .until(
                        () -> {
                            HttpResponse<InputStream> again =
                                    client.send(events, HttpResponse.BodyHandlers.ofInputStream());
                            again.body().close();
                            return again.statusCode() == 200;
                        });
        stillServes();
    }

    // ---------- the manifest inbox ----------

    @Test
    void aDoneFolderSwappedForALinkIsNeverFollowed() throws Exception {
        Manifests manifests = manifests();
        Path done = manifests.inbox().resolve("done");
        Path elsewhere = Files.createDirectories(pipeline.root().resolve("elsewhere"));
        Files.createDirectories(done);
        Files.move(done, pipeline.root().resolve("done-kept"));
        Files.createSymbolicLink(done, elsewhere);

        manifests.drop("linked.json", "[" + goodOrder("HOSTILE-INBOX-LINKED") + "]");

        Awaitility.await("the manifest waits in the inbox")
                .during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(manifests.inbox().resolve("linked.json")));
        try (var moved = Files.list(elsewhere)) {
            assertThat(moved).as("nothing moved through the link").isEmpty();
        }
        Files.delete(done);
        Files.move(pipeline.root().resolve("done-kept"), done);
        assertThat(manifests.awaitReport("done", "linked.json").path("accepted").asInt())
                .as("read once the folder is mended")
                .isEqualTo(1);
        pipeline.awaitJob("HOSTILE-INBOX-LINKED", JobStatus.COMPLETED);
        stillServes();
    }

    @Test
    void aPlantedReportLinkIsPassedOverNotWrittenThrough() throws Exception {
        Manifests manifests = manifests();
        Path victim = Files.writeString(pipeline.root().resolve("victim.txt"), "keep");
        Files.createDirectories(manifests.inbox().resolve("done"));
        Files.createSymbolicLink(
                manifests.inbox().resolve("done/planted.json.report.json"), victim);

        manifests.drop("planted.json", "[" + goodOrder("HOSTILE-INBOX-PLANTED") + "]");

        assertThat(manifests.awaitReport("done", "planted-2.json").path("accepted").asInt())
                .isEqualTo(1);
        assertThat(victim).hasContent("keep");
        stillServes();
    }

    @Test
    void aManifestLineOfAMillionBadEntriesKeepsTwentyErrors() throws Exception {
        Manifests manifests = manifests();
        manifests.drop(
                "many-errors.csv",
                Manifests.HEADER
                        + "HOSTILE-MANY-ERRORS,2026-11-22T10:00:00Z,normal,16000000000,,"
                        + "x|".repeat(MAX_BYTES / 3)
                        + "\n");

        JsonNode errors =
                manifests
                        .awaitReport("done", "many-errors.csv")
                        .path("rejectedLines")
                        .get(0)
                        .path("errors");
        assertThat(errors.size()).isEqualTo(21);
        assertThat(errors.get(20).path("reason").asText()).contains("and more errors");
        stillServes();
    }

    @Test
    void aFifoInTheInboxIsNotOpened() throws Exception {
        Manifests manifests = manifests();
        Files.createDirectories(manifests.inbox());
        Process mkfifo =
                new ProcessBuilder("mkfifo", manifests.inbox().resolve("pipe.csv").toString())
                        .start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).isTrue();

        assertThat(manifests.awaitReport("error", "pipe.csv").path("error").path("reason").asText())
                .contains("a FIFO");
        stillServes();
    }

    @Test
    void aManifestOfManyBadLinesKeepsABoundedReport() throws Exception {
        StringBuilder csv = new StringBuilder(Manifests.HEADER);
        for (int line = 2; line <= 1_501; line++) {
            csv.append("X".repeat(300))
                    .append(line)
                    .append(
                            ",2026-11-22T10:00:00Z,normal,16000000000,,file:music/jazz/01-so-what.mp3\n");
        }
        Manifests manifests = manifests();
        manifests.drop("bad-lines.csv", csv.toString());

        JsonNode report = manifests.awaitReport("done", "bad-lines.csv");
        assertThat(report.path("rejected").asInt()).isEqualTo(1_500);
        assertThat(report.path("rejectedLines").size()).isEqualTo(1_000);
        assertThat(report.path("linesNotListed").asInt()).isEqualTo(500);
        assertThat(report.path("rejectedLines").get(0).path("orderId").asText())
                .startsWith("X".repeat(200) + "... (")
                .hasSizeLessThan(230);
        stillServes();
    }

    // ---------- names and links ----------

    @Test
    void namesWithABackslashOrANewlineAreEscapedInTheManifest() throws Exception {
        pipeline.sendText(ORDERS, order("HOSTILE-NAMES").collection("odd").json());

        JobView job = pipeline.awaitJob("HOSTILE-NAMES", JobStatus.COMPLETED);
        Path folder = Path.of(job.usbMount()).resolve("HOSTILE-NAMES");
        assertThat(folder.resolve("odd/back\\slash.mp3")).exists();
        assertThat(folder.resolve("odd/new\nline.mp3")).exists();
        assertThat(Files.readString(folder.resolve("MANIFEST.sha256")))
                .contains("odd/back\\\\slash.mp3")
                .contains("odd/new\\nline.mp3");
        assertThat(PipelineRuntime.sha256sumCheck(folder))
                .as("sha256sum -c accepts the escaped names")
                .isZero();
        stillServes();
    }

    @Test
    void aFolderSwappedForALinkAfterTheCheckIsNotFollowed() throws Exception {
        Path library = pipeline.library();
        PipelineRuntime.writeRandom(library.resolve("swap/track.mp3"), 100);
        Path checked = library.resolve("swap/track.mp3").toRealPath();
        try (FileChannel first = ContentLibrary.openChecked(checked)) {
            assertThat(first.size()).isEqualTo(100);
        }
        Path outside = library.resolveSibling("outside-swap");
        PipelineRuntime.writeRandom(outside.resolve("track.mp3"), 100);
        Files.move(library.resolve("swap"), library.resolve("swap-gone"));
        Files.createSymbolicLink(library.resolve("swap"), outside);

        assertThatThrownBy(() -> ContentLibrary.openChecked(checked))
                .isInstanceOf(JobFailure.class)
                .hasMessageContaining("symbolic link");
        stillServes();
    }

    // ---------- retention and readiness ----------

    @Test
    void aReplayedOrderWhoseJobRetentionDeletedMakesNoSecondJob() throws Exception {
        String orderId = "HOSTILE-REPLAY";
        String confirmation = order(orderId).file("music/jazz/01-so-what.mp3").json();
        pipeline.sendText(ORDERS, confirmation);
        JobView job = pipeline.awaitJob(orderId, JobStatus.COMPLETED);
        // Retention keeps a job while its run's lease is there; the run frees it as it ends.
        pipeline.awaitRunsEnded();
        new JdbcTemplate(pipeline.dataSource())
                .update(
                        "UPDATE processing_jobs SET completed_at = ? WHERE id = ?",
                        OffsetDateTime.ofInstant(
                                Instant.now().minus(Duration.ofDays(400)), ZoneOffset.UTC),
                        job.id());
        pipeline.context()
                .createProducerTemplate()
                .sendBodyAndHeader(
                        "direct:delete-expired-jobs",
                        null,
                        "before",
                        OffsetDateTime.now(ZoneOffset.UTC).minus(Duration.ofDays(30)));
        assertThat(pipeline.jobsOf(orderId)).isEmpty();

        NotifyBuilder replayed =
                new NotifyBuilder(pipeline.context())
                        .fromRoute("order-intake")
                        .whenDone(1)
                        .create();
        pipeline.sendText(ORDERS, confirmation);

        assertThat(replayed.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pipeline.jobsOf(orderId)).isEmpty();
        assertThat(pipeline.reads().receiptOf(orderId))
                .hasValueSatisfying(r -> assertThat(r.jobId()).isEqualTo(job.id()));
        stillServes();
    }

    @Test
    void aBurstOfBadOrdersChangesTheVerdictNotReadiness() throws Exception {
        for (int i = 0; i < 12; i++) {
            pipeline.sendText(
                    ORDERS, order("HOSTILE-BAD-" + i).file("music/missing-" + i + ".mp3").json());
        }
        for (int i = 0; i < 12; i++) {
            pipeline.awaitJob("HOSTILE-BAD-" + i, JobStatus.FAILED);
        }

        JsonNode verdict = JSON.readTree(pipeline.http("GET", "/api/health", null).body());
        assertThat(verdict.path("issues").findValuesAsText("condition"))
                .contains("success-rate-last-hour");
        assertThat(pipeline.management("GET", "/observe/health/ready", null, Map.of()).statusCode())
                .as("this instance can still work")
                .isEqualTo(200);
        assertThat(pipeline.management("GET", "/observe/metrics", null, Map.of()).body())
                .containsPattern("pipeline_health_verdict [12]\\.0");
        stillServes();
    }

    // ---------- helpers ----------

    /** The case's refusal held: a good order still goes through end to end. */
    private void stillServes() throws Exception {
        String orderId = "HOSTILE-GOOD-" + ++goodOrders;
        pipeline.sendText(ORDERS, order(orderId).file("music/jazz/01-so-what.mp3").json());
        pipeline.awaitJob(orderId, JobStatus.COMPLETED);
        assertThat(pipeline.http("GET", "/api/queue", null).statusCode()).isEqualTo(200);
        refusedCleanly.incrementAndGet();
    }

    private Manifests manifests() {
        return new Manifests(pipeline.root().resolve("data/inbox"));
    }

    private static String goodOrder(String orderId) {
        return order(orderId).file("music/jazz/01-so-what.mp3").json();
    }

    private String completedJob() throws Exception {
        String orderId = "HOSTILE-TARGET-" + ++goodOrders;
        pipeline.sendText(ORDERS, order(orderId).file("music/jazz/01-so-what.mp3").json());
        return pipeline.awaitJob(orderId, JobStatus.COMPLETED).id();
    }

    private ActiveMQConnectionFactory client() {
        return new ActiveMQConnectionFactory(
                "tcp://127.0.0.1:" + pipeline.brokerPort(),
                PipelineRuntime.USER,
                PipelineRuntime.PASSWORD);
    }

    /**
     * One request as raw bytes (the JDK client cannot set Host), and the answer's head and body.
     */
    private String raw(String request) throws IOException {
        return raw(pipeline.httpPort(), request);
    }

    private static String raw(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            int read;
            while ((read = in.read(buffer)) > 0) {
                answer.write(buffer, 0, read);
                if (answer.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n{")
                        && answer.toString(StandardCharsets.ISO_8859_1).endsWith("}")) {
                    break;
                }
                if (answer.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 413")) {
                    break;
                }
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** A body whose deserialisation would be noticed: the product must never call readObject. */
    static final class Tripwire implements Serializable {
        @Serial private static final long serialVersionUID = 1L;

        @Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            DESERIALISED.set(true);
            in.defaultReadObject();
        }
    }
}
