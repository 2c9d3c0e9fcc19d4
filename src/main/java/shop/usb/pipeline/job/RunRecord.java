package shop.usb.pipeline.job;

import static shop.usb.pipeline.job.JobRows.params;
import static shop.usb.pipeline.job.JobRows.truncate;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import shop.usb.pipeline.failure.ErrorCode;

/**
 * What a running job writes about itself: its stage, plan, slot, progress and heartbeat, its log
 * lines, and the transition that ends it (COMPLETED, FAILED, RETRYING, WAITING, CANCELLED). Every
 * write is guarded by the run's token, so a run that lost its job changes nothing; a refused write
 * says why ({@link JobCancelledException}, {@link RunSupersededException}). A run's log lines wait
 * in memory and commit with its next status change, or with a progress write once the oldest has
 * waited a progress interval.
 */
public class RunRecord {

    private final Transitions transitions;
    private final JobLogBuffer logBuffer;

    /**
     * {@code instanceId}: the instance whose runs these are (the status events' source); {@code
     * logDelay}: how long a running job's log line may wait to be written with others.
     */
    public RunRecord(DataSource dataSource, String instanceId, Duration logDelay, Clock clock) {
        this.transitions = new Transitions(dataSource, instanceId, clock);
        this.logBuffer = new JobLogBuffer(logDelay, clock);
    }

    /**
     * Marks the start of a stage: stage, its progress and a log line, with the size of the plan the
     * stage before made (null: none) in the same statement.
     */
    public void enterStage(JobRun run, Stage stage, String message, PlannedSize plan) {
        ownedWrite(
                run,
                "update-job-stage",
                params().addValue("stage", stage.label())
                        .addValue("progress", stage.progress())
                        .addValue("bytesPlanned", plan == null ? null : plan.bytes())
                        .addValue("filesPlanned", plan == null ? null : plan.files()));
        log(run, JobLogLevel.INFO, stage, message);
    }

    public void recordMount(JobRun run, String mount) {
        ownedWrite(run, "update-job-mount", params().addValue("mount", mount));
    }

    /** Progress within a stage; also a moment to write log lines that waited long enough. */
    public void recordProgress(JobRun run, int progress, long bytesWritten, int filesWritten) {
        ownedWrite(
                run,
                "update-job-progress",
                params().addValue("progress", progress)
                        .addValue("bytesWritten", bytesWritten)
                        .addValue("filesWritten", filesWritten));
        writeLogsIfDue(run);
    }

    /**
     * Proves the run still owns its job and nobody asked it to stop; throws otherwise. Called at
     * checkpoints of long work that writes nothing else (hashing, verification).
     */
    public void confirmOwnership(JobRun run) {
        ownedWrite(run, "confirm-job-run", params());
        writeLogsIfDue(run);
    }

    /**
     * Writes the heartbeat of each run in one batch; returns the runs that no longer own their job.
     */
    public List<JobRun> heartbeat(Collection<JobRun> runs) {
        List<JobRun> beating = List.copyOf(runs);
        if (beating.isEmpty()) {
            return List.of();
        }
        int[] updated =
                transitions.jdbc.batchUpdate(
                        SqlStatements.get("update-job-heartbeat"),
                        beating.stream()
                                .map(
                                        run ->
                                                params().addValue("id", run.jobId())
                                                        .addValue("runToken", run.token()))
                                .toArray(MapSqlParameterSource[]::new));
        List<JobRun> lost = new ArrayList<>();
        for (int i = 0; i < updated.length; i++) {
            if (updated[i] == 0) {
                lost.add(beating.get(i));
            }
        }
        return lost;
    }

    /**
     * COMPLETED with the delivery record, in one transaction with {@code delivered} (what else the
     * delivery ends: the lease, the slot's state).
     */
    public void complete(JobRun run, String message, Delivery delivery, Runnable delivered) {
        endRun(
                run,
                transitions.line(JobLogLevel.INFO, Stage.DONE, message, null),
                () -> {
                    ownedTransition(
                            run,
                            JobStatus.COMPLETED,
                            "complete-job",
                            params().addValue("stage", Stage.DONE.label())
                                    .addValue("verifiedBy", delivery.verifiedBy())
                                    .addValue("slot", delivery.slot())
                                    .addValue("stickId", delivery.stickId())
                                    .addValue("stickSerial", delivery.stickSerial())
                                    .addValue("stickSizeBytes", delivery.stickSizeBytes())
                                    .addValue("stickFsType", delivery.stickFsType())
                                    .addValue("stickLabel", delivery.stickLabel())
                                    .addValue("manifestSha256", delivery.manifestSha256())
                                    .addValue("volumeLabel", delivery.volumeLabel()),
                            StatusEvent.completed(delivery));
                    delivered.run();
                });
    }

    public void fail(JobRun run, Stage stage, ErrorCode code, String message) {
        endRun(
                run,
                transitions.line(JobLogLevel.ERROR, stage, message, code.name()),
                () ->
                        ownedTransition(
                                run,
                                JobStatus.FAILED,
                                "fail-job",
                                params().addValue("errorCode", code.name())
                                        .addValue("errorMessage", truncate(message, 2000))
                                        .addValue("recoverable", code.recoverable()),
                                StatusEvent.failed(JobStatus.FAILED, code, message)));
    }

    /**
     * PROCESSING to RETRYING after a recoverable failure, due after {@code delay} by the database's
     * clock; the job message for that time follows. A failure that uses no attempt gives it back.
     * Throws {@link JobCancelledException} when an operator asked the job to stop: the cancel wins.
     */
    public void scheduleRetry(
            JobRun run, Stage stage, ErrorCode code, String message, Duration delay) {
        endRun(
                run,
                transitions.line(
                        JobLogLevel.WARN,
                        stage,
                        message + " (retry in " + delay.toMillis() + " ms)",
                        code.name()),
                () ->
                        ownedTransition(
                                run,
                                JobStatus.RETRYING,
                                "retry-job",
                                params().addValue("errorCode", code.name())
                                        .addValue("errorMessage", truncate(message, 2000))
                                        .addValue("delayMs", delay.toMillis())
                                        .addValue("refund", code.usesAnAttempt() ? 0 : 1),
                                StatusEvent.failed(JobStatus.RETRYING, code, message)));
    }

    /**
     * No fitting stick is READY: PROCESSING to WAITING, holding nothing; the attempt is not counted
     * and no error is kept. Throws {@link JobCancelledException} when an operator asked the job to
     * stop.
     */
    public void waitForStick(
            JobRun run,
            Stage stage,
            String waitingFor,
            String because,
            long capacityBytes,
            String refusedFilesystems) {
        endRun(
                run,
                transitions.line(
                        JobLogLevel.INFO,
                        stage,
                        "Waiting for " + waitingFor + (because.isEmpty() ? "" : ": " + because),
                        null),
                () ->
                        ownedTransition(
                                run,
                                JobStatus.WAITING,
                                "wait-for-stick",
                                params().addValue("waitingFor", waitingFor)
                                        .addValue("capacityBytes", capacityBytes)
                                        .addValue("refusedFilesystems", refusedFilesystems),
                                StatusEvent.waiting(waitingFor, because)));
    }

    /** A running job that stopped for a cancel request ends CANCELLED. */
    public void cancelRunning(JobRun run, Stage stage, String message) {
        endRun(
                run,
                transitions.line(JobLogLevel.INFO, stage, message, null),
                () ->
                        ownedTransition(
                                run,
                                JobStatus.CANCELLED,
                                "cancel-running-job",
                                params(),
                                StatusEvent.cancelled()));
    }

    /** A line in a running job's log, written with its next status change or progress write. */
    public void log(JobRun run, JobLogLevel level, Stage stage, String message) {
        logBuffer.add(run, transitions.line(level, stage, message, null));
        writeLogsIfDue(run);
    }

    /**
     * Writes what is left of a run's log, however the run ended (its status change may have been
     * refused).
     */
    public void writeLogs(JobRun run) {
        transitions.insertLogs(run.jobId(), run, logBuffer.take(run));
    }

    /**
     * Why a guarded write of the run found nothing: {@link JobCancelledException} when an operator
     * asked it to stop, {@link RunSupersededException} when it no longer owns the job.
     */
    public RuntimeException refusal(JobRun run) {
        return transitions.refused(run);
    }

    /**
     * A status change by the run that owns the job; refused with the reason when it no longer does.
     */
    private void ownedTransition(
            JobRun run,
            JobStatus target,
            String statement,
            MapSqlParameterSource values,
            StatusEvent event) {
        if (!transitions.apply(run.jobId(), target, run, statement, values, event)) {
            throw transitions.refused(run);
        }
    }

    /**
     * A write of the running job that changes no status, guarded by the run's token and a pending
     * cancel.
     */
    private void ownedWrite(JobRun run, String statement, MapSqlParameterSource values) {
        values.addValue("id", run.jobId()).addValue("runToken", run.token());
        if (transitions.jdbc.update(SqlStatements.get(statement), values) == 0) {
            throw transitions.refused(run);
        }
    }

    /** A status change that ends a run, committed with the run's buffered log lines and its own. */
    private void endRun(JobRun run, JobLogBuffer.Line line, Runnable statusChange) {
        List<JobLogBuffer.Line> lines = logBuffer.pendingFollowedBy(run, line);
        transitions.transaction.executeWithoutResult(
                status -> {
                    statusChange.run();
                    transitions.insertLogs(run.jobId(), run, lines);
                });
        logBuffer.take(run);
    }

    private void writeLogsIfDue(JobRun run) {
        if (logBuffer.due(run)) {
            writeLogs(run);
        }
    }
}
