package shop.usb.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.ORDERS;
import static shop.usb.pipeline.support.Orders.newOrderId;
import static shop.usb.pipeline.support.Orders.order;

import jakarta.jms.Message;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.JobLifecycle.CancelOutcome;
import shop.usb.pipeline.job.JobLogLevel;
import shop.usb.pipeline.job.JobLogView;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.JobView;
import shop.usb.pipeline.run.Run;
import shop.usb.pipeline.run.Runs;
import shop.usb.pipeline.stage.JobContext;
import shop.usb.pipeline.stage.JobOutcome;
import shop.usb.pipeline.support.Folders;
import shop.usb.pipeline.support.OnEachDatabase;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;

/**
 * Recoverable failures are retried with backoff through the broker, exhausted ones are
 * dead-lettered, and an operator can cancel and retry jobs. The only USB mount starts unplugged
 * (its folder is missing).
 */
@OnEachDatabase
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailureSemanticsTest {

    PipelineRuntime pipeline;
    Path stick;

    @Parameter TestDatabase.Engine engine;

    @BeforeParameterizedClassInvocation(injectArguments = false)
    void startPipeline(@TempDir Path root) throws Exception {
        stick = root.resolve("usb/stick");
        pipeline =
                PipelineRuntime.start(
                        root,
                        engine.create(root),
                        Map.of(
                                "pipeline.usb.mounts", stick.toString(),
                                "pipeline.retry.max-attempts", "3",
                                // The first wait is long enough for a test to act on a RETRYING job
                                // before it runs again.
                                "pipeline.retry.delays", "2s,300ms",
                                "pipeline.retry.jitter", "0",
                                "pipeline.usb.allocation-timeout", "1s"));
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    void stopPipeline() {
        pipeline.close();
    }

    @Test
    void unpluggedMountIsRetriedThenFailsThenRunsOnManualRetry() throws Exception {
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).file("music/jazz/01-so-what.mp3").json());

        JobView retrying = pipeline.awaitJob(orderId, JobStatus.RETRYING);
        assertThat(retrying.errorCode()).isEqualTo("USB_UNAVAILABLE");
        assertThat(retrying.errorRecoverable()).isTrue();
        JobView failed = pipeline.awaitJob(orderId, JobStatus.FAILED);
        assertThat(failed.attempts()).isEqualTo(3);
        assertThat(failed.errorCode()).isEqualTo("USB_UNAVAILABLE");
        assertThat(stick).as("a missing mount is never created").doesNotExist();
        assertThat(pipeline.reads().logs(failed.id(), 0))
                .filteredOn(line -> line.level() == JobLogLevel.WARN)
                .extracting(JobLogView::message)
                .hasSize(2)
                .allMatch(m -> m.contains("(retry in "));
        Message dead = pipeline.receiveDeadLetter("pipelineOrderId = '" + orderId + "'", m -> {});
        assertThat(dead).isNotNull();
        assertThat(dead.getStringProperty("pipelineErrorCode")).isEqualTo("USB_UNAVAILABLE");
        assertThat(dead.getStringProperty("pipelineFailedStage")).isEqualTo("write-usb");

        Files.createDirectories(stick);
        try {
            assertThat(
                            pipeline.http("POST", "/api/jobs/" + failed.id() + "/retry", null)
                                    .statusCode())
                    .isEqualTo(202);
            JobView completed = pipeline.awaitJob(orderId, JobStatus.COMPLETED);
            assertThat(completed.attempts()).isEqualTo(1);
            assertThat(
                            pipeline.http("POST", "/api/jobs/" + failed.id() + "/retry", null)
                                    .statusCode())
                    .isEqualTo(409);
            assertThat(
                            pipeline.http("POST", "/api/jobs/" + failed.id() + "/cancel", null)
                                    .statusCode())
                    .isEqualTo(409);
        } finally {
            Folders.deleteRecursively(stick);
        }
    }

    @Test
    void anOrderFolderNoLeaseNamesIsNeitherReplacedNorRemovedAndTheOrderIsWrittenOnceItIsGone()
            throws Exception {
        String orderId = newOrderId();
        Path foreign = stick.resolve(orderId);
        Files.createDirectories(stick);
        try {
            // Another instance's copy on a shared folder, or one put there by hand.
            Files.writeString(Files.createDirectories(foreign).resolve("theirs.txt"), "not ours");
            pipeline.sendText(ORDERS, order(orderId).file("music/jazz/01-so-what.mp3").json());

            JobView retrying = pipeline.awaitJob(orderId, JobStatus.RETRYING);
            assertThat(retrying.errorCode()).isEqualTo("IO_ERROR");
            assertThat(retrying.errorMessage()).contains("which no lease of this station names");
            pipeline.awaitRunsEnded();
            assertThat(foreign.resolve("theirs.txt")).hasContent("not ours");
            try (var left = Files.list(stick)) {
                assertThat(left.map(Path::getFileName).map(Path::toString))
                        .as("the run's own staging folder went with its lease")
                        .containsExactly(orderId);
            }

            Folders.deleteRecursively(foreign);
            pipeline.awaitJob(orderId, JobStatus.COMPLETED);
            assertThat(PipelineRuntime.sha256sumCheck(foreign)).isZero();
        } finally {
            Folders.deleteRecursively(stick);
        }
    }

    @Test
    void retryingJobCanBeCancelledAndStaysCancelled() throws Exception {
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).file("music/jazz/01-so-what.mp3").json());
        JobView retrying = pipeline.awaitJob(orderId, JobStatus.RETRYING);

        var response = pipeline.http("POST", "/api/jobs/" + retrying.id() + "/cancel", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"CANCELLED\"");
        // Its scheduled job message still arrives after 2 s; the job must not run again.
        Awaitility.await("job to stay cancelled past its retry time")
                .during(Duration.ofMillis(2500))
                .atMost(Duration.ofSeconds(6))
                .until(
                        () -> pipeline.reads().findByOrderId(orderId).orElseThrow(),
                        job -> job.status() == JobStatus.CANCELLED && job.attempts() == 1);
        assertThat(pipeline.http("POST", "/api/jobs/unknown/cancel", null).statusCode())
                .isEqualTo(404);
    }

    @Test
    void jobMessageThatComesBeforeTheDueTimeByTheDatabasesClockRunsTheJobWhenItIsDue()
            throws Exception {
        Files.createDirectories(stick);
        try {
            String orderId = newOrderId();
            String id = createJob(orderId);
            new JdbcTemplate(pipeline.dataSource())
                    .update(
                            "UPDATE processing_jobs SET status = 'RETRYING',"
                                    + " next_attempt_at = CURRENT_TIMESTAMP + INTERVAL '3' SECOND WHERE id = ?",
                            id);
            Instant sent = Instant.now();

            // As a broker whose clock runs 3 s ahead of the database's would deliver a retry.
            pipeline.sendText("pipeline.jobs", id);

            JobView completed =
                    Awaitility.await("the job to run at its due time, not at the overdue sweep")
                            .atMost(Duration.ofSeconds(15))
                            .pollInterval(Duration.ofMillis(50))
                            .until(
                                    () -> pipeline.reads().findById(id).orElseThrow(),
                                    job -> job.status() == JobStatus.COMPLETED);
            assertThat(Duration.between(sent, Instant.now()))
                    .isGreaterThan(Duration.ofMillis(1900));
            assertThat(completed.attempts()).isEqualTo(1);
        } finally {
            Folders.deleteRecursively(stick);
        }
    }

    @Test
    void cancelAskedForOnAnotherInstanceWinsOverARetry() {
        String orderId = newOrderId();
        String id = createJob(orderId);
        Run running =
                pipeline.context()
                        .getRegistry()
                        .lookupByNameAndType(Runs.BEAN_NAME, Runs.class)
                        .claim(id)
                        .orElseThrow();
        assertThat(pipeline.jobs().cancel(id, "operator")).isEqualTo(CancelOutcome.REQUESTED);
        Exchange failedRun = new DefaultExchange(pipeline.context());
        failedRun.setProperty(JobContext.PROPERTY, new JobContext(running));
        failedRun.setProperty(
                Exchange.EXCEPTION_CAUGHT, new JobFailure(ErrorCode.USB_UNAVAILABLE, "unplugged"));

        FollowUp next =
                pipeline.context()
                        .getRegistry()
                        .lookupByNameAndType(JobOutcome.BEAN_NAME, JobOutcome.class)
                        .fail(failedRun);

        assertThat(next.getKind()).isEqualTo(FollowUp.Kind.NONE);
        assertThat(pipeline.reads().findById(id))
                .get()
                .extracting(JobView::status)
                .isEqualTo(JobStatus.CANCELLED);
    }

    /** Creates the job of a new order for one file, as intake would; its id. */
    private String createJob(String orderId) {
        return pipeline.jobs()
                .create(
                        orderId,
                        "normal",
                        null,
                        order(orderId).file("music/jazz/01-so-what.mp3").json())
                .orElseThrow();
    }
}
