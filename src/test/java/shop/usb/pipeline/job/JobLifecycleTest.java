package shop.usb.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.crash.CrashPoints.Context;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.job.InterruptedRuns.RunningJob;
import shop.usb.pipeline.lease.Lease;
import shop.usb.pipeline.station.Demand;
import shop.usb.pipeline.station.SlotAllocator;
import shop.usb.pipeline.support.OnEachDatabase;
import shop.usb.pipeline.support.Stations;
import shop.usb.pipeline.support.TestDatabase;

/**
 * Status changes are guarded where the data lives, by status and by the run that owns the job, on
 * both databases.
 */
@OnEachDatabase
class JobLifecycleTest {

    static final Demand DEMAND = new Demand("ORD-1", "ANA", 16_000_000_000L, Map.of());
    static final Delivery DELIVERY =
            new Delivery("slot-1", "stick-1", null, null, "ext4", null, "direct", "abc", null);

    @Parameter TestDatabase.Engine engine;

    /** Each test its own folder, so its H2 database is a new one. */
    @TempDir Path folder;

    HikariDataSource dataSource;
    JobLifecycle jobs;
    InterruptedRuns interrupted;
    RunRecord record;
    JobReads reads;

    @BeforeEach
    void openDatabase() {
        dataSource = engine.create(folder).openMigrated();
        jobs = new JobLifecycle(dataSource, "test", Clock.systemUTC());
        interrupted = new InterruptedRuns(dataSource, "test", Clock.systemUTC());
        record = new RunRecord(dataSource, "test", Duration.ZERO, Clock.systemUTC());
        reads = new JobReads(dataSource);
    }

    @AfterEach
    void closeDatabase() {
        dataSource.close();
    }

    @Test
    void secondJobForSameOrderIsRefused() {
        assertThat(jobs.create("ORD-1", "normal", null, "{}")).isPresent();
        assertThat(jobs.create("ORD-1", "high", null, "{}")).isEmpty();
        assertThat(reads.findAll("ORD-1", 10)).hasSize(1);
    }

    @Test
    void batchOfOrdersBecomesQueuedJobsAndOneTakenInMeanwhileGetsNoSecond() {
        String earlier = jobs.create("B-2", "normal", null, "{}").orElseThrow();

        Map<String, String> created =
                jobs.createAll(
                        List.of(
                                new IncomingOrder("B-1", "high", "ana", "{\"orderId\":\"B-1\"}"),
                                new IncomingOrder("B-2", "low", null, "{}"),
                                new IncomingOrder("B-3", "normal", null, "{}")));

        assertThat(created).containsOnlyKeys("B-1", "B-3");
        assertThat(reads.findAll("B-2", 10))
                .singleElement()
                .satisfies(
                        job -> {
                            assertThat(job.id()).isEqualTo(earlier);
                            assertThat(job.priority()).isEqualTo("normal");
                        });
        JobView first = reads.findByOrderId("B-1").orElseThrow();
        assertThat(first.id()).isEqualTo(created.get("B-1"));
        assertThat(first.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(first.priority()).isEqualTo("high");
        JdbcTemplate sql = new JdbcTemplate(dataSource);
        for (String id : created.values()) {
            assertThat(
                            sql.queryForList(
                                    "SELECT sequence FROM status_events WHERE job_id = ?",
                                    Integer.class,
                                    id))
                    .containsExactly(1);
            assertThat(
                            sql.queryForList(
                                    "SELECT message FROM processing_job_logs WHERE job_id = ?",
                                    String.class,
                                    id))
                    .singleElement(STRING)
                    .endsWith("received");
        }
        assertThat(jobs.createAll(List.of())).isEmpty();
    }

    @Test
    void claimEntersTheFirstStageAndAStageEntryCarriesThePlanBeforeIt() {
        String id = jobs.create("ORD-F", "normal", null, "{}").orElseThrow();
        JobRun run = jobs.claim(JobRun.of(id), "me").orElseThrow().run();
        JobView claimed = reads.findByOrderId("ORD-F").orElseThrow();
        assertThat(claimed.stage()).isEqualTo(Stage.FIRST.label()).isEqualTo("validate");
        assertThat(claimed.progress()).isEqualTo(10);

        record.enterStage(run, Stage.WRITE_USB, "Writing", new PlannedSize(4096, 2));
        JobView writing = reads.findByOrderId("ORD-F").orElseThrow();
        assertThat(writing.stage()).isEqualTo("write-usb");
        assertThat(writing.bytesPlanned()).isEqualTo(4096L);
        assertThat(writing.filesPlanned()).isEqualTo(2);

        record.enterStage(run, Stage.VERIFY, "Verifying", null);
        JobView verifying = reads.findByOrderId("ORD-F").orElseThrow();
        assertThat(verifying.progress()).isEqualTo(90);
        assertThat(verifying.bytesPlanned()).as("kept").isEqualTo(4096L);
        assertThat(verifying.filesPlanned()).isEqualTo(2);
    }

    @Test
    void illegalTransitionsAreRefused() {
        String id = jobs.create("ORD-2", "normal", null, "{}").orElseThrow();

        assertThatThrownBy(() -> complete(record, new JobRun(id, "never-claimed")))
                .isInstanceOf(RunSupersededException.class);
        JobRun run = jobs.claim(JobRun.of(id), "me").orElseThrow().run();
        assertThat(jobs.claim(JobRun.of(id), "someone-else")).isEmpty();
        complete(record, run);
        assertThatThrownBy(() -> record.fail(run, Stage.VERIFY, ErrorCode.IO_ERROR, "late"))
                .isInstanceOf(RunSupersededException.class);
        assertThat(reads.findById(id))
                .get()
                .satisfies(
                        job -> {
                            assertThat(job.status()).isEqualTo(JobStatus.COMPLETED);
                            assertThat(job.progress()).isEqualTo(100);
                            assertThat(job.attempts()).isEqualTo(1);
                            assertThat(job.verifiedBy()).isEqualTo("direct");
                        });
    }

    @Test
    void runThatLostItsJobCanChangeNothing() throws Exception {
        Stations station =
                Stations.folders(
                        dataSource,
                        Duration.ofMillis(200),
                        false,
                        Files.createDirectories(folder.resolve("m")));
        SlotAllocator mounts = station.allocator();
        JobRun first = running(jobs, "ORD-5");
        String id = first.jobId();
        Lease firstLease = mounts.acquire(first, 1000, DEMAND).lease();
        JobRun second = takenOverAfterStalling(dataSource, jobs, id, first);
        assertThat(mounts.acquire(second, 1000, DEMAND).filesystem().slot())
                .as("the first run's lease no longer holds the mount")
                .isEqualTo(folder.resolve("m"));
        record.recordProgress(second, 60, 500, 1);

        List<ThrowingCallable> writesOfTheFirstRun =
                List.of(
                        () -> record.enterStage(first, Stage.VERIFY, "late", null),
                        () -> record.recordProgress(first, 70, 900, 2),
                        () -> record.recordMount(first, "/elsewhere"),
                        () ->
                                record.enterStage(
                                        first, Stage.WRITE_USB, "late", new PlannedSize(1, 1)),
                        () -> record.confirmOwnership(first),
                        () -> complete(record, first),
                        () ->
                                record.fail(
                                        first, Stage.WRITE_USB, ErrorCode.IO_ERROR, "late failure"),
                        () ->
                                record.scheduleRetry(
                                        first,
                                        Stage.WRITE_USB,
                                        ErrorCode.IO_ERROR,
                                        "late",
                                        Duration.ZERO),
                        () -> record.cancelRunning(first, Stage.WRITE_USB, "late cancel"),
                        () -> mounts.acquire(first, 1000, DEMAND),
                        () -> station.leases().recordPublish(firstLease));
        for (ThrowingCallable write : writesOfTheFirstRun) {
            assertThatThrownBy(write).isInstanceOf(RunSupersededException.class);
        }
        assertThat(station.reclaimer().end(firstLease, Context.RUN))
                .as("the first run's lease was already ended by the run that took the slot")
                .isTrue();
        assertThat(record.heartbeat(List.of(first, second))).containsExactly(first);

        assertThat(reads.findById(id))
                .get()
                .satisfies(
                        job -> {
                            assertThat(job.status()).isEqualTo(JobStatus.PROCESSING);
                            assertThat(job.attempts()).isEqualTo(2);
                            assertThat(job.progress()).isEqualTo(60);
                            assertThat(job.bytesWritten()).isEqualTo(500);
                            assertThat(job.errorCode()).isNull();
                        });
        assertThat(
                        new JdbcTemplate(dataSource)
                                .queryForList(
                                        "SELECT run_token FROM usb_mount_leases", String.class))
                .as("the second run's lease is untouched")
                .containsExactly(second.token());
    }

    @Test
    void runThatBeatsAfterBeingFoundStalledIsNotRecovered() {
        JobRun run = running(jobs, "ORD-6");
        heartbeatAgo(dataSource, run.jobId(), Duration.ofMinutes(1));
        RunningJob stalled = interrupted.findStalled(Duration.ofSeconds(30)).get(0);

        assertThat(record.heartbeat(List.of(run))).isEmpty();

        assertThat(recoverAsStalled(interrupted, stalled)).isFalse();
        record.confirmOwnership(run);
    }

    @Test
    void retryIsDueByTheDatabasesClockAndAnEarlyMessageLearnsHowLongToWait() {
        JobRun run = running(jobs, "ORD-7");
        String id = run.jobId();
        record.scheduleRetry(
                run, Stage.WRITE_USB, ErrorCode.USB_FULL, "full", Duration.ofSeconds(20));

        assertThat(jobs.claim(JobRun.of(id), "me")).as("20 s early").isEmpty();
        assertThat(jobs.dueIn(id))
                .get()
                .satisfies(
                        due -> {
                            assertThat(due.in())
                                    .isBetween(Duration.ofSeconds(15), Duration.ofSeconds(20));
                            assertThat(due.priority()).isEqualTo("normal");
                        });

        new JdbcTemplate(dataSource)
                .update(
                        "UPDATE processing_jobs SET next_attempt_at = CURRENT_TIMESTAMP"
                                + " + INTERVAL '0.5' SECOND WHERE id = ?",
                        id);
        assertThat(jobs.claim(JobRun.of(id), "me"))
                .as("within the claim tolerance of another clock")
                .isPresent();
        assertThat(jobs.dueIn(id)).isEmpty();
    }

    /** The sweep takes the first run for stalled, and a new run claims the job. */
    private static JobRun takenOverAfterStalling(
            DataSource dataSource, JobLifecycle jobs, String id, JobRun first) {
        heartbeatAgo(dataSource, id, Duration.ofMinutes(1));
        InterruptedRuns interrupted = new InterruptedRuns(dataSource, "test", Clock.systemUTC());
        RunningJob stalled =
                interrupted.findStalled(Duration.ofSeconds(30)).stream()
                        .filter(job -> job.id().equals(id))
                        .findFirst()
                        .orElseThrow();
        assertThat(stalled.run()).isEqualTo(first);
        assertThat(recoverAsStalled(interrupted, stalled)).isTrue();
        return jobs.claim(JobRun.of(id), "me-again").orElseThrow().run();
    }

    @Test
    void runningJobsLogLinesAreWrittenWithItsStatusChangeInOrder() {
        RunRecord buffering =
                new RunRecord(dataSource, "test", Duration.ofHours(1), Clock.systemUTC());
        JobRun run = validating(buffering, "ORD-3");
        buffering.log(run, JobLogLevel.WARN, Stage.VALIDATE, "A note");

        assertThat(reads.logs(run.jobId(), 0))
                .extracting(JobLogView::message)
                .containsExactly("Order ORD-3 received");
        complete(buffering, run);

        assertThat(reads.logs(run.jobId(), 0))
                .extracting(JobLogView::message)
                .containsExactly("Order ORD-3 received", "Validating", "A note", "Done");
        buffering.writeLogs(run);
        assertThat(reads.logs(run.jobId(), 0)).as("nothing is written twice").hasSize(4);
    }

    @Test
    void runWhoseStatusChangeIsRefusedKeepsItsLogLines() {
        RunRecord buffering =
                new RunRecord(dataSource, "test", Duration.ofHours(1), Clock.systemUTC());
        JobRun run = validating(buffering, "ORD-4");
        assertThat(jobs.cancel(run.jobId(), "operator"))
                .isEqualTo(JobLifecycle.CancelOutcome.REQUESTED);

        assertThatThrownBy(
                        () ->
                                buffering.scheduleRetry(
                                        run,
                                        Stage.VALIDATE,
                                        ErrorCode.IO_ERROR,
                                        "Disk",
                                        Duration.ZERO))
                .isInstanceOf(JobCancelledException.class);
        buffering.writeLogs(run);

        assertThat(reads.logs(run.jobId(), 0))
                .extracting(JobLogView::message)
                .containsExactly(
                        "Order ORD-4 received",
                        "Validating",
                        "Cancel requested by operator; stopping at the next checkpoint");
    }

    /** The run of a new order's job, claimed by "me" (and so in its validate stage). */
    private JobRun validating(RunRecord record, String orderId) {
        JobRun run = running(jobs, orderId);
        record.log(run, JobLogLevel.INFO, Stage.VALIDATE, "Validating");
        return run;
    }

    /** COMPLETED with a delivery record, as a run delivers (nothing else ends with it here). */
    private static void complete(RunRecord record, JobRun run) {
        record.complete(run, "Done", DELIVERY, () -> {});
    }

    /** The run of a new order's job, claimed by "me". */
    private static JobRun running(JobLifecycle jobs, String orderId) {
        String id = jobs.create(orderId, "normal", null, "{}").orElseThrow();
        return jobs.claim(JobRun.of(id), "me").orElseThrow().run();
    }

    /** The run went silent a while ago, by the database's clock. */
    private static void heartbeatAgo(DataSource dataSource, String id, Duration ago) {
        new JdbcTemplate(dataSource)
                .update(
                        "UPDATE processing_jobs SET heartbeat_at = CURRENT_TIMESTAMP"
                                + " - CAST(? AS BIGINT) * INTERVAL '0.001' SECOND WHERE id = ?",
                        ago.toMillis(),
                        id);
    }

    /** What the stalled sweep does to a run silent for 30 s: RETRYING, due at once. */
    private static boolean recoverAsStalled(InterruptedRuns runs, RunningJob stalled) {
        return runs.recover(
                stalled,
                Duration.ofSeconds(30),
                JobStatus.RETRYING,
                ErrorCode.STALLED,
                "stalled",
                Duration.ZERO,
                false);
    }
}
