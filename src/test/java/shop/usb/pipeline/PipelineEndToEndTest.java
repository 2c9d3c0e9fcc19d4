package shop.usb.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.ORDERS;
import static shop.usb.pipeline.support.Orders.newOrderId;
import static shop.usb.pipeline.support.Orders.order;

import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import shop.usb.pipeline.content.Sha256;
import shop.usb.pipeline.job.JobLogView;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.JobView;
import shop.usb.pipeline.support.OnEachDatabase;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;

/**
 * The whole product on real parts: a confirmation sent to the embedded broker ends as a verified
 * folder on a USB mount folder, recorded in the database. Runs once per database.
 */
@OnEachDatabase
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineEndToEndTest {

    PipelineRuntime pipeline;

    @Parameter TestDatabase.Engine engine;

    @BeforeParameterizedClassInvocation(injectArguments = false)
    void startPipeline(@TempDir Path root) throws Exception {
        pipeline = PipelineRuntime.start(root, engine.create(root), Map.of());
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void confirmationBecomesCompletedJobWithVerifiedFiles() throws Exception {
        String orderId = newOrderId();
        pipeline.sendText(
                ORDERS, order(orderId).collection("music/salsa").file("movies/coco.mp4").json());

        JobView job = pipeline.awaitJob(orderId, JobStatus.COMPLETED);

        assertThat(job.progress()).isEqualTo(100);
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.filesPlanned()).isEqualTo(4);
        assertThat(job.filesWritten()).isEqualTo(4);
        assertThat(job.bytesWritten()).isEqualTo(40_000 + 30_000 + 5_000 + 300_000);
        assertThat(job.durationMs()).isNotNull();
        Path folder = Path.of(job.usbMount()).resolve(orderId);
        for (String file :
                List.of(
                        "music/salsa/01-la-rebelion.mp3",
                        "music/salsa/02-pedro-navaja.mp3",
                        "music/salsa/cover/front.jpg",
                        "movies/coco.mp4")) {
            assertThat(Sha256.of(folder.resolve(file)))
                    .isEqualTo(Sha256.of(pipeline.library().resolve(file)));
        }
        assertThat(Files.readString(folder.resolve("MANIFEST.sha256")))
                .contains("  movies/coco.mp4\n");
        assertThat(PipelineRuntime.sha256sumCheck(folder)).isZero();
        assertThat(pipeline.reads().logs(job.id(), 0))
                .extracting(JobLogView::stage)
                .contains("intake", "validate", "select-content", "write-usb", "verify", "done");
    }

    @Test
    void bytesMessageBodyBecomesJob() throws Exception {
        String orderId = newOrderId();
        pipeline.sendBytes(
                ORDERS,
                order(orderId)
                        .file("music/jazz/01-so-what.mp3")
                        .json()
                        .getBytes(StandardCharsets.UTF_8));

        JobView job = pipeline.awaitJob(orderId, JobStatus.COMPLETED);

        assertThat(Path.of(job.usbMount()).resolve(orderId).resolve("music/jazz/01-so-what.mp3"))
                .exists();
    }

    @Test
    void redeliveredConfirmationDoesNotCreateSecondJob() throws Exception {
        String orderId = newOrderId();
        String confirmation = order(orderId).file("music/jazz/01-so-what.mp3").json();
        pipeline.sendText(ORDERS, confirmation);
        JobView first = pipeline.awaitJob(orderId, JobStatus.COMPLETED);

        pipeline.sendText(ORDERS, confirmation);
        // The marker order goes through the same queue after the duplicate, so once it is done the
        // duplicate was seen.
        String marker = newOrderId();
        pipeline.sendText(ORDERS, order(marker).file("music/jazz/01-so-what.mp3").json());
        pipeline.awaitJob(marker, JobStatus.COMPLETED);

        assertThat(pipeline.jobsOf(orderId))
                .singleElement()
                .satisfies(
                        job -> {
                            assertThat(job.id()).isEqualTo(first.id());
                            assertThat(job.attempts()).isEqualTo(1);
                        });
    }

    @Test
    void controlHeadersFromOutsideAreDropped() throws Exception {
        String orderId = newOrderId();
        pipeline.send(
                ORDERS,
                session -> session.createTextMessage(order(orderId).file("movies/coco.mp4").json()),
                message -> {
                    message.setStringProperty("CamelFileName", "../../escaped.mp4");
                    message.setStringProperty("CAmelFileName", "../../escaped-too.mp4");
                    message.setStringProperty("CamelJmsDestinationName", "elsewhere");
                });

        JobView job = pipeline.awaitJob(orderId, JobStatus.COMPLETED);

        assertThat(Path.of(job.usbMount()).resolve(orderId).resolve("movies/coco.mp4")).exists();
        try (var files = Files.walk(pipeline.root())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(name -> name.startsWith("escaped"));
        }
    }

    @Test
    void invalidConfirmationFailsWithInvalidOrder() throws Exception {
        String orderId = newOrderId();
        pipeline.sendText(
                ORDERS,
                order(orderId).file("movies/coco.mp4").set("confirmedAt", "yesterday").json());

        JobView job = assertFailedOnce(orderId, "INVALID_ORDER");

        assertThat(job.errorMessage()).contains("confirmedAt");
    }

    @Test
    void missingContentFailsWithContentNotFound() throws Exception {
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).file("movies/missing.mp4").json());

        JobView job = assertFailedOnce(orderId, "CONTENT_NOT_FOUND");

        assertThat(job.errorMessage()).contains("content[0].file").contains("movies/missing.mp4");
    }

    @Test
    void parentPathFailsWithPathOutsideLibrary() throws Exception {
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).file("../outside/secret.txt").json());

        assertFailedOnce(orderId, "PATH_OUTSIDE_LIBRARY");
    }

    @Test
    void absolutePathFailsWithPathOutsideLibrary() throws Exception {
        String orderId = newOrderId();
        pipeline.sendText(
                ORDERS,
                order(orderId)
                        .file(pipeline.library().resolve("movies/coco.mp4").toString())
                        .json());

        assertFailedOnce(orderId, "PATH_OUTSIDE_LIBRARY");
    }

    @Test
    void symlinkOutOfLibraryFailsWithPathOutsideLibrary() throws Exception {
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).collection("music").json());

        JobView job = assertFailedOnce(orderId, "PATH_OUTSIDE_LIBRARY");

        assertThat(job.errorMessage()).contains("symbolic link");
    }

    @Test
    void contentLargerThanDriveFailsWithCapacityExceeded() throws Exception {
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).file("movies/coco.mp4").capacity(1_000).json());

        JobView job = assertFailedOnce(orderId, "CAPACITY_EXCEEDED");

        assertThat(job.errorMessage()).contains("usb.capacityBytes");
        assertThat(pipeline.mountA().resolve(orderId)).doesNotExist();
    }

    @Test
    void failedJobIsDeadLetteredWithReasonHeaders() throws Exception {
        String orderId = newOrderId();
        String confirmation = order(orderId).file("movies/missing.mp4").json();
        pipeline.sendText(ORDERS, confirmation);
        pipeline.awaitJob(orderId, JobStatus.FAILED);

        Message dead = pipeline.receiveDeadLetter("pipelineOrderId = '" + orderId + "'", m -> {});

        assertThat(dead).isNotNull();
        assertThat(dead.getStringProperty("pipelineErrorCode")).isEqualTo("CONTENT_NOT_FOUND");
        assertThat(dead.getStringProperty("pipelineFailedStage")).isEqualTo("validate");
        assertThat(dead.getStringProperty("pipelineErrorMessage")).contains("movies/missing.mp4");
        assertThat(((TextMessage) dead).getText()).isEqualTo(confirmation);
    }

    @Test
    void bodyThatIsNotJsonIsDeadLetteredAndIntakeGoesOn() throws Exception {
        String marker = UUID.randomUUID().toString();
        pipeline.sendText(ORDERS, "not json " + marker);

        Message dead = pipeline.receiveDeadLetter("pipelineErrorCode = 'NOT_JSON'", m -> {});

        assertThat(dead).isNotNull();
        assertThat(dead.getStringProperty("pipelineFailedStage")).isEqualTo("intake");
        assertThat(dead.getBody(byte[].class)).asString(StandardCharsets.UTF_8).contains(marker);
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).file("music/jazz/01-so-what.mp3").json());
        pipeline.awaitJob(orderId, JobStatus.COMPLETED);
    }

    @Test
    void confirmationWithoutUsableOrderIdIsDeadLettered() throws Exception {
        pipeline.sendText(ORDERS, order("../../etc").file("movies/coco.mp4").json());

        Message dead =
                pipeline.receiveDeadLetter("pipelineErrorCode = 'MISSING_ORDER_ID'", m -> {});

        assertThat(dead).isNotNull();
        assertThat(pipeline.jobsOf("../../etc")).isEmpty();
    }

    @Test
    void bodyOverMaxBytesIsDeadLetteredUnparsed() throws Exception {
        byte[] body = new byte[1024 * 1024 + 1];
        Arrays.fill(body, (byte) ' ');

        pipeline.sendBytes(ORDERS, body);

        Message dead =
                pipeline.receiveDeadLetter("pipelineErrorCode = 'MESSAGE_TOO_LARGE'", m -> {});
        assertThat(dead).isNotNull();
        assertThat(dead.getStringProperty("pipelineErrorMessage"))
                .contains("pipeline.intake.max-bytes");
    }

    @Test
    void objectMessageIsDeadLetteredWithoutDeserialising() throws Exception {
        pipeline.sendObject(ORDERS, new ArrayList<>(List.of("x")));

        Message dead =
                pipeline.receiveDeadLetter(
                        "pipelineErrorCode = 'UNSUPPORTED_MESSAGE_TYPE'", m -> {});

        assertThat(dead).isNotNull();
    }

    @Test
    void orderPostedOverHttpIsAcceptedAndRuns() throws Exception {
        String orderId = newOrderId();

        var response =
                pipeline.http(
                        "POST",
                        "/api/orders",
                        order(orderId).file("music/jazz/01-so-what.mp3").json());

        assertThat(response.statusCode()).isEqualTo(202);
        JobView job = pipeline.awaitJob(orderId, JobStatus.COMPLETED);
        var fetched = pipeline.http("GET", "/api/jobs/" + job.id(), null);
        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(fetched.body())
                .contains("\"orderId\":\"" + orderId + "\"")
                .contains("\"status\":\"COMPLETED\"");
        var logs = pipeline.http("GET", "/api/jobs/" + job.id() + "/logs", null);
        assertThat(logs.body()).contains("\"stage\":\"verify\"");
        var listed = pipeline.http("GET", "/api/jobs?orderId=" + orderId, null);
        assertThat(listed.body()).contains(job.id());
    }

    @Test
    void invalidOrderPostedOverHttpGets400NamingTheFields() throws Exception {
        var response =
                pipeline.http(
                        "POST",
                        "/api/orders",
                        order("ORD/1").file("movies/coco.mp4").capacity(0).json());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body())
                .contains("\"field\":\"orderId\"")
                .contains("\"field\":\"usb.capacityBytes\"")
                .doesNotContain("Exception");
    }

    @Test
    void unknownJobGets404AndBadFilterGets400() throws Exception {
        assertThat(pipeline.http("GET", "/api/jobs/no-such-job", null).statusCode()).isEqualTo(404);
        var bad = pipeline.http("GET", "/api/jobs?status=DONE", null);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("\"field\":\"status\"");
    }

    @Test
    void queueReportsCountsPerStatus() throws Exception {
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).file("music/jazz/01-so-what.mp3").json());
        pipeline.awaitJob(orderId, JobStatus.COMPLETED);

        var response = pipeline.http("GET", "/api/queue", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("\"queued\":")
                .contains("\"processing\":")
                .contains("\"retrying\":")
                .contains("\"failed\":")
                .contains("\"cancelled\":")
                .contains("\"activeJobs\":")
                .contains("\"avgDurationMs\":")
                .contains("\"oldestQueuedAgeSeconds\":")
                .doesNotContain("\"completed\":0,");
    }

    private JobView assertFailedOnce(String orderId, String errorCode) {
        JobView job = pipeline.awaitJob(orderId, JobStatus.FAILED);
        assertThat(job.errorCode()).isEqualTo(errorCode);
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.errorRecoverable()).isFalse();
        assertThat(pipeline.reads().logs(job.id(), 0))
                .anySatisfy(line -> assertThat(line.errorCode()).isEqualTo(errorCode));
        return job;
    }
}
