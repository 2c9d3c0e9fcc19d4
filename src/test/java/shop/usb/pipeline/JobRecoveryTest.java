package shop.usb.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.ORDERS;
import static shop.usb.pipeline.support.Orders.newOrderId;
import static shop.usb.pipeline.support.Orders.order;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.api.management.mbean.ManagedRouteMBean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.device.Slot;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.device.SlotKind;
import shop.usb.pipeline.device.SlotProbe;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobLogView;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.JobView;
import shop.usb.pipeline.lease.Lease;
import shop.usb.pipeline.lease.Leases;
import shop.usb.pipeline.support.OnEachDatabase;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;

/** Jobs nobody runs any more are recovered; a running job stops cleanly when cancelled. */
@OnEachDatabase
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobRecoveryTest {

    static final Map<String, String> SETTINGS =
            Map.of(
                    "pipeline.stalled.after", "2s",
                    "pipeline.stalled.check-interval", "300ms",
                    "pipeline.retry.delays", "200ms",
                    "pipeline.progress.interval", "100ms",
                    "pipeline.workers", "2");
    Path root;
    TestDatabase database;
    PipelineRuntime pipeline;

    @Parameter TestDatabase.Engine engine;

    @BeforeParameterizedClassInvocation(injectArguments = false)
    void startPipeline(@TempDir Path root) throws Exception {
        this.root = root;
        this.database = engine.create(root);
        pipeline = PipelineRuntime.start(root, database, SETTINGS);
        for (int i = 0; i < 400; i++) {
            PipelineRuntime.writeRandom(
                    pipeline.library().resolve(String.format("many/file-%03d.bin", i)), 16_000);
        }
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    void stopPipeline() {
        pipeline.close();
    }

    @Test
    void cancelledRunningJobStopsAtCheckpointRemovesItsFolderAndFreesItsMount() throws Exception {
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).collection("many").json());
        JobView writing =
                pipeline.awaitJob(
                        orderId,
                        job -> "write-usb".equals(job.stage()) && job.usbMount() != null,
                        "start writing");

        var response = pipeline.http("POST", "/api/jobs/" + writing.id() + "/cancel", null);

        assertThat(response.statusCode()).isEqualTo(202);
        JobView cancelled = pipeline.awaitJob(orderId, JobStatus.CANCELLED);
        assertThat(cancelled.filesWritten()).isLessThan(400);
        assertThat(Path.of(cancelled.usbMount()).resolve(orderId)).doesNotExist();
        assertThat(pipeline.reads().logs(cancelled.id(), 0))
                .extracting(JobLogView::message)
                .anyMatch(m -> m.startsWith("Cancelled at a checkpoint"));
        // The run frees its lease as it ends, just after the cancel is recorded.
        pipeline.awaitRunsEnded();
        assertThat(
                        new JdbcTemplate(pipeline.dataSource())
                                .queryForList("SELECT job_id FROM usb_mount_leases", String.class))
                .doesNotContain(cancelled.id());
    }

    @Test
    void stalledJobOfAnotherInstanceIsRetriedAndCompletes() {
        String orderId = newOrderId();
        String id = runningElsewhere(orderId, "dead-instance").jobId();

        JobView completed = pipeline.awaitJob(orderId, JobStatus.COMPLETED);

        assertThat(completed.id()).isEqualTo(id);
        assertThat(completed.attempts()).isEqualTo(2);
        assertThat(pipeline.reads().logs(id, 0))
                .anySatisfy(
                        line -> {
                            assertThat(line.message()).contains("stalled");
                            assertThat(line.errorCode()).isEqualTo("STALLED");
                        });
    }

    @Test
    void restartRecoversOwnProcessingJobsWithoutWaitingForTheSweep() throws Exception {
        restartWithoutSweep("200ms");
        String orderId = newOrderId();
        runningElsewhere(orderId, "test-instance");

        restartWithoutSweep("200ms");

        JobView completed = pipeline.awaitJob(orderId, JobStatus.COMPLETED);
        assertThat(completed.attempts()).isEqualTo(2);
        assertThat(pipeline.reads().logs(completed.id(), 0))
                .extracting(JobLogView::message)
                .anyMatch(m -> m.contains("interrupted when instance test-instance stopped"));
        pipeline.close();
        pipeline = PipelineRuntime.start(root, database, SETTINGS);
    }

    @Test
    void restartEndsAnInterruptedRunsLeaseWithTheOrderFolderItPublishedBeforeItsRetry()
            throws Exception {
        restartWithoutSweep("200ms");
        String orderId = newOrderId();
        JobRun interrupted = runningElsewhere(orderId, "test-instance");
        // Its run had named the order's folder on slot-a when the process was killed, before the
        // verification: the retry may run on another instance, whose slots are not this one's.
        Slot slotA = Slot.of(pipeline.mountA());
        SlotFilesystem filesystem = new SlotProbe(false).probe(slotA.path()).require();
        Leases leases = new Leases("test-instance", pipeline.dataSource());
        Lease lease =
                leases.recordPublish(
                        leases.write(
                                        interrupted,
                                        orderId,
                                        slotA,
                                        filesystem,
                                        SlotKind.FOLDER.identify(slotA, filesystem).id(),
                                        SlotKind.FOLDER.stagesItsOrders())
                                .orElseThrow());
        Path published = lease.orderFolder();
        PipelineRuntime.writeRandom(published.resolve("music/jazz/01-so-what.mp3"), 1_000);

        restartWithoutSweep("1h");

        pipeline.awaitJob(orderId, JobStatus.RETRYING);
        assertThat(published).doesNotExist();
        assertThat(
                        new JdbcTemplate(pipeline.dataSource())
                                .queryForList("SELECT job_id FROM usb_mount_leases", String.class))
                .doesNotContain(interrupted.jobId());
        assertThat(pipeline.reads().logs(interrupted.jobId(), 0))
                .extracting(JobLogView::message)
                .anyMatch(m -> m.contains("interrupted when instance test-instance stopped"));
        pipeline.close();
        pipeline = PipelineRuntime.start(root, database, SETTINGS);
    }

    /**
     * Stops the product, leaving what it ran PROCESSING, and starts it again with neither the
     * stalled sweep nor abandoned-run recovery in sight, so only the startup recovery takes such
     * jobs back.
     */
    private void restartWithoutSweep(String retryDelays) throws Exception {
        pipeline.close();
        pipeline =
                PipelineRuntime.start(
                        root,
                        database,
                        Map.of(
                                "pipeline.stalled.after", "1h",
                                "pipeline.recovery.abandoned-check-interval", "1h",
                                "pipeline.retry.delays", retryDelays));
        // Its startup recovery runs once, on a timer of its own: done before the test goes on, so
        // that a job the test leaves PROCESSING is recovered by the next start, not by this one.
        ManagedRouteMBean startupRecovery =
                pipeline.context()
                        .getCamelContextExtension()
                        .getContextPlugin(ManagedCamelContext.class)
                        .getManagedRoute("job-recovery-at-startup");
        Awaitility.await("the startup recovery to have run")
                .atMost(Duration.ofSeconds(30))
                .until(() -> startupRecovery.getExchangesCompleted() >= 1);
    }

    /** A job claimed by {@code owner} that then went silent: PROCESSING, heartbeat a minute old. */
    private JobRun runningElsewhere(String orderId, String owner) {
        JobLifecycle jobs = pipeline.jobs();
        String id =
                jobs.create(
                                orderId,
                                "normal",
                                null,
                                order(orderId).file("music/jazz/01-so-what.mp3").json())
                        .orElseThrow();
        JobRun run = jobs.claim(JobRun.of(id), owner).orElseThrow().run();
        new JdbcTemplate(pipeline.dataSource())
                .update(
                        "UPDATE processing_jobs SET heartbeat_at = ? WHERE id = ?",
                        OffsetDateTime.now(Clock.systemUTC())
                                .minusMinutes(1)
                                .withOffsetSameInstant(ZoneOffset.UTC),
                        id);
        return run;
    }
}
