package shop.usb.pipeline.job;

import static shop.usb.pipeline.job.JobRows.instant;
import static shop.usb.pipeline.job.JobRows.names;
import static shop.usb.pipeline.job.JobRows.params;
import static shop.usb.pipeline.job.JobRows.truncate;
import static shop.usb.pipeline.job.JobRows.utc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import shop.usb.pipeline.failure.ErrorCode;

/**
 * The job's state machine: every status change and every write a run makes. Each status change goes
 * through one guarded transition ({@link #transition}): it applies only from the statuses {@link
 * JobStatus#enteredFrom()} allows, and only for the job's owner, the run whose token the claim
 * stored, or, for an operator or a claim, a job no run owns. A refused change is never silently
 * applied. Times that decide anything (heartbeats, due times, stalled checks) are the database's
 * ({@code CURRENT_TIMESTAMP}), never a JVM's, so instances with skewed clocks agree. Reads for the
 * API are {@link JobReads}', figures {@link JobStatistics}'.
 */
public class JobLifecycle {

    public static final String BEAN_NAME = "jobLifecycle";

    /**
     * A scheduled job message may fire this much before next_attempt_at (another clock fired it).
     */
    private static final Duration CLAIM_TOLERANCE = Duration.ofSeconds(1);

    private final NamedParameterJdbcTemplate jdbc;

    private final TransactionTemplate transaction;

    private final JobLogBuffer logBuffer;

    /** {@code logDelay}: how long a running job's log line may wait to be written with others. */
    public JobLifecycle(DataSource dataSource, Duration logDelay, Clock clock) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.logBuffer = new JobLogBuffer(logDelay, clock);
    }

    /**
     * Records a QUEUED job for the order, with its customer's name as search matches it (may be
     * null); empty when the order already has a job.
     */
    public Optional<String> create(
            String orderId, String priority, String customerKey, String orderJson) {
        String id = UUID.randomUUID().toString();
        try {
            transaction.executeWithoutResult(
                    status -> {
                        jdbc.update(
                                SqlStatements.get("insert-order-receipt"),
                                params().addValue("orderId", orderId).addValue("id", id));
                        jdbc.update(
                                SqlStatements.get("insert-job"),
                                params().addValue("id", id)
                                        .addValue("orderId", orderId)
                                        .addValue("status", JobStatus.QUEUED.name())
                                        .addValue("stage", Stage.INTAKE.label())
                                        .addValue("priority", priority)
                                        .addValue("customerKey", customerKey)
                                        .addValue("orderJson", orderJson));
                        insertLog(
                                id,
                                JobLogLevel.INFO,
                                Stage.INTAKE,
                                "Order " + orderId + " received",
                                null);
                    });
            return Optional.of(id);
        } catch (DuplicateKeyException alreadyRecorded) {
            return Optional.empty();
        }
    }

    /**
     * Moves a QUEUED or RETRYING job that is due to PROCESSING under the new run, for instance
     * {@code owner}; empty when it is not claimable. From here until the run ends, its log lines
     * are buffered.
     */
    public Optional<ClaimedJob> claim(JobRun run, String owner) {
        String id = run.jobId();
        if (!transition(
                id,
                JobStatus.PROCESSING,
                null,
                "claim-job",
                params().addValue("newRunToken", run.token())
                        .addValue("owner", owner)
                        .addValue("toleranceMs", CLAIM_TOLERANCE.toMillis()))) {
            return Optional.empty();
        }
        ClaimedJob claimed =
                jdbc.queryForObject(
                        SqlStatements.get("find-job-by-id"),
                        params().addValue("id", id),
                        (rs, n) ->
                                new ClaimedJob(
                                        run,
                                        rs.getString("order_id"),
                                        rs.getString("priority"),
                                        rs.getString("order_json"),
                                        rs.getInt("attempts"),
                                        instant(rs, "started_at"),
                                        rs.getString("usb_mount")));
        log(
                run,
                JobLogLevel.INFO,
                Stage.INTAKE,
                "Attempt "
                        + claimed.attempts()
                        + " started on "
                        + owner
                        + " (run "
                        + run.shortToken()
                        + ")");
        return Optional.of(claimed);
    }

    /**
     * How long a waiting job still has until it is due, by the database's clock; empty when due or
     * not waiting.
     */
    public Optional<Due> dueIn(String id) {
        return jdbc
                .query(
                        SqlStatements.get("find-job-due-in"),
                        params().addValue("id", id).addValue("waiting", JobStatus.waitingNames()),
                        (rs, n) ->
                                new Due(
                                        Duration.ofMillis(rs.getLong("due_in_ms")),
                                        rs.getString("priority")))
                .stream()
                .findFirst();
    }

    /** A job that is not due yet: how long it still waits, and its priority. */
    public record Due(Duration in, String priority) {}

    /** Marks the start of a stage: stage, its progress and a log line. */
    public void enterStage(JobRun run, Stage stage, String message) {
        ownedWrite(
                run,
                "update-job-stage",
                params().addValue("stage", stage.label()).addValue("progress", stage.progress()));
        log(run, JobLogLevel.INFO, stage, message);
    }

    public void recordPlan(JobRun run, long bytesPlanned, int filesPlanned) {
        ownedWrite(
                run,
                "update-job-plan",
                params().addValue("bytesPlanned", bytesPlanned)
                        .addValue("filesPlanned", filesPlanned));
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
     * Throws {@link RunSupersededException} unless the run owns its job, whether or not a cancel is
     * pending.
     */
    public void requireOwnership(JobRun run) {
        ownedWrite(run, "update-job-heartbeat", params());
    }

    /**
     * Whether the run still owns its job; a read that writes nothing, not even the heartbeat, so a
     * dead run can be checked before recovery acts for it.
     */
    public boolean isRunBy(JobRun run) {
        Integer runs =
                jdbc.queryForObject(
                        SqlStatements.get("count-job-run"),
                        params().addValue("id", run.jobId()).addValue("runToken", run.token()),
                        Integer.class);
        return runs != null && runs == 1;
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
                jdbc.batchUpdate(
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

    public void complete(JobRun run, String message, Delivery delivery) {
        endRun(
                run,
                logBuffer.line(JobLogLevel.INFO, Stage.DONE, message, null),
                () ->
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
                                        .addValue("volumeLabel", delivery.volumeLabel())));
    }

    public void fail(JobRun run, Stage stage, ErrorCode code, String message) {
        endRun(
                run,
                logBuffer.line(JobLogLevel.ERROR, stage, message, code.name()),
                () ->
                        ownedTransition(
                                run,
                                JobStatus.FAILED,
                                "fail-job",
                                params().addValue("errorCode", code.name())
                                        .addValue("errorMessage", truncate(message, 2000))
                                        .addValue("recoverable", code.recoverable())));
    }

    /**
     * PROCESSING to RETRYING after a recoverable failure, due after {@code delay} by the database's
     * clock; the job message for that time follows. Throws {@link JobCancelledException} when an
     * operator asked the job to stop: the cancel wins.
     */
    public void scheduleRetry(
            JobRun run, Stage stage, ErrorCode code, String message, Duration delay) {
        endRun(
                run,
                logBuffer.line(
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
                                        .addValue("delayMs", delay.toMillis())));
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
            long capacityBytes,
            String refusedFilesystems) {
        endRun(
                run,
                logBuffer.line(JobLogLevel.INFO, stage, "Waiting for " + waitingFor, null),
                () ->
                        ownedTransition(
                                run,
                                JobStatus.WAITING,
                                "wait-for-stick",
                                params().addValue("waitingFor", waitingFor)
                                        .addValue("capacityBytes", capacityBytes)
                                        .addValue("refusedFilesystems", refusedFilesystems)));
    }

    /** Waiting jobs, the highest priority first, then the oldest. */
    public List<WaitingJob> findWaiting(int limit) {
        return jdbc.query(
                SqlStatements.get("find-waiting-jobs"),
                params().addValue("status", JobStatus.WAITING.name()).addValue("limit", limit),
                (rs, n) ->
                        new WaitingJob(
                                rs.getString("id"),
                                rs.getString("order_id"),
                                rs.getLong("capacity_bytes"),
                                rs.getString("refused_filesystems"),
                                rs.getString("priority")));
    }

    /**
     * A stick was kept for the waiting job: it is QUEUED again, due now; false when it no longer
     * waits.
     */
    public boolean dispatchWaiting(String id) {
        if (!transition(
                id,
                JobStatus.QUEUED,
                EnumSet.of(JobStatus.WAITING),
                null,
                "dispatch-waiting-job",
                params())) {
            return false;
        }
        insertLog(
                id,
                JobLogLevel.INFO,
                Stage.WRITE_USB,
                "A fitting stick is ready; queued again",
                null);
        return true;
    }

    /**
     * A job that waits for a stick of its size class, not of a filesystem it refuses
     * ("vfat,exfat").
     */
    public record WaitingJob(
            String id,
            String orderId,
            long capacityBytes,
            String refusedFilesystems,
            String priority) {}

    public enum CancelOutcome {
        CANCELLED,
        REQUESTED,
        ALREADY_FINAL,
        NOT_FOUND
    }

    /**
     * A waiting job is cancelled at once; a running one is asked to stop at its next checkpoint.
     * The job's log names the operator ({@code actor}: a token's name or "loopback").
     */
    public CancelOutcome cancel(String id, String actor) {
        return transaction.execute(
                status -> {
                    if (transition(id, JobStatus.CANCELLED, null, "cancel-waiting-job", params())) {
                        insertLog(
                                id,
                                JobLogLevel.INFO,
                                Stage.INTAKE,
                                "Cancelled by " + actor + " before it ran",
                                null);
                        return CancelOutcome.CANCELLED;
                    }
                    if (jdbc.update(
                                    SqlStatements.get("request-job-cancel"),
                                    params().addValue("id", id))
                            == 1) {
                        insertLog(
                                id,
                                JobLogLevel.INFO,
                                Stage.INTAKE,
                                "Cancel requested by "
                                        + actor
                                        + "; stopping at the next checkpoint",
                                null);
                        return CancelOutcome.REQUESTED;
                    }
                    return exists(id) ? CancelOutcome.ALREADY_FINAL : CancelOutcome.NOT_FOUND;
                });
    }

    /** A running job that stopped for a cancel request ends CANCELLED. */
    public void cancelRunning(JobRun run, Stage stage, String message) {
        endRun(
                run,
                logBuffer.line(JobLogLevel.INFO, stage, message, null),
                () -> ownedTransition(run, JobStatus.CANCELLED, "cancel-running-job", params()));
    }

    /**
     * A FAILED or CANCELLED job is queued again by {@code actor} with a fresh attempt budget; false
     * when it is in another status.
     */
    public boolean requeue(String id, String actor) {
        return Boolean.TRUE.equals(
                transaction.execute(
                        status -> {
                            int attempts = attempts(id);
                            if (!transition(
                                    id,
                                    JobStatus.QUEUED,
                                    JobAction.RETRY.allowedFrom(),
                                    null,
                                    "requeue-job",
                                    params().addValue("stage", Stage.INTAKE.label()))) {
                                return false;
                            }
                            insertLog(
                                    id,
                                    JobLogLevel.INFO,
                                    Stage.INTAKE,
                                    "Queued again by " + actor + " after " + attempts + " attempts",
                                    null);
                            return true;
                        }));
    }

    /** A returned stick was read back again: the result on the job and in its log. */
    public void recordReverify(String id, boolean asWritten, String result) {
        transaction.executeWithoutResult(
                status -> {
                    jdbc.update(
                            SqlStatements.get("record-reverify"),
                            params().addValue("id", id).addValue("result", truncate(result, 1000)));
                    insertLog(
                            id,
                            asWritten ? JobLogLevel.INFO : JobLogLevel.WARN,
                            Stage.VERIFY,
                            result,
                            asWritten ? null : ErrorCode.VERIFICATION_FAILED.name());
                });
    }

    /** Running jobs whose heartbeat is older than {@code stalledAfter} by the database's clock. */
    public List<RunningJob> findStalled(Duration stalledAfter) {
        return jdbc.query(
                SqlStatements.get("find-stalled-jobs"),
                params().addValue("status", JobStatus.PROCESSING.name())
                        .addValue("stalledAfterMs", stalledAfter.toMillis()),
                JobLifecycle::running);
    }

    /** PROCESSING jobs this instance owned when it last ran: after a restart nobody runs them. */
    public List<RunningJob> findOwnRunning(String owner) {
        return jdbc.query(
                SqlStatements.get("find-own-running-jobs"),
                params().addValue("status", JobStatus.PROCESSING.name()).addValue("owner", owner),
                JobLifecycle::running);
    }

    /**
     * Ends a run nobody is doing any more, provided its heartbeat is still older than {@code
     * stalledAfter}: RETRYING due after {@code delay}, FAILED, or CANCELLED when a cancel was asked
     * for. False when the run beat meanwhile or another sweeper got there first.
     */
    public boolean recover(
            RunningJob job,
            Duration stalledAfter,
            JobStatus outcome,
            ErrorCode code,
            String message,
            Duration delay,
            boolean refundAttempt) {
        return Boolean.TRUE.equals(
                transaction.execute(
                        status -> {
                            boolean recovered =
                                    transition(
                                            job.id(),
                                            outcome,
                                            job.run(),
                                            "recover-stalled-job",
                                            params().addValue("refund", refundAttempt ? 1 : 0)
                                                    .addValue(
                                                            "errorCode",
                                                            code == null ? null : code.name())
                                                    .addValue(
                                                            "recoverable",
                                                            code == null
                                                                    ? null
                                                                    : code.recoverable())
                                                    .addValue("errorMessage", message)
                                                    .addValue(
                                                            "delayMs",
                                                            delay == null ? null : delay.toMillis())
                                                    .addValue("ended", outcome.isFinal())
                                                    .addValue(
                                                            "stalledAfterMs",
                                                            stalledAfter.toMillis()));
                            if (recovered) {
                                insertLog(
                                        job.id(),
                                        outcome == JobStatus.RETRYING
                                                ? JobLogLevel.WARN
                                                : JobLogLevel.ERROR,
                                        job.stage(),
                                        message,
                                        code == null ? null : code.name());
                            }
                            return recovered;
                        }));
    }

    /** A line in a running job's log, written with its next status change or progress write. */
    public void log(JobRun run, JobLogLevel level, Stage stage, String message) {
        logBuffer.add(run, logBuffer.line(level, stage, message, null));
        writeLogsIfDue(run);
    }

    /**
     * Writes what is left of a run's log, however the run ended (its status change may have been
     * refused).
     */
    public void writeLogs(JobRun run) {
        insertLogs(run.jobId(), run, logBuffer.take(run));
    }

    /**
     * The one way a job's status changes: {@code statement} applies only from the statuses {@code
     * target} may be entered from ({@code :from}), and only for its owner: the run {@code owner}
     * ({@code :runToken}), or, when that is null, a job no run owns. True when it applied.
     */
    private boolean transition(
            String id,
            JobStatus target,
            JobRun owner,
            String statement,
            MapSqlParameterSource values) {
        return transition(id, target, target.enteredFrom(), owner, statement, values);
    }

    /** A transition allowed from only some of the statuses {@code target} may be entered from. */
    private boolean transition(
            String id,
            JobStatus target,
            Set<JobStatus> from,
            JobRun owner,
            String statement,
            MapSqlParameterSource values) {
        if (!target.enteredFrom().containsAll(from)) {
            throw new IllegalArgumentException(target + " cannot be entered from " + from);
        }
        values.addValue("id", id)
                .addValue("status", target.name())
                .addValue("from", names(from))
                .addValue("runToken", owner == null ? null : owner.token());
        return jdbc.update(SqlStatements.get(statement), values) == 1;
    }

    /**
     * A status change by the run that owns the job; refused with the reason when it no longer does.
     */
    private void ownedTransition(
            JobRun run, JobStatus target, String statement, MapSqlParameterSource values) {
        if (!transition(run.jobId(), target, run, statement, values)) {
            throw refused(run);
        }
    }

    /**
     * A write of the running job that changes no status, guarded by the run's token and a pending
     * cancel.
     */
    private void ownedWrite(JobRun run, String statement, MapSqlParameterSource values) {
        values.addValue("id", run.jobId()).addValue("runToken", run.token());
        if (jdbc.update(SqlStatements.get(statement), values) == 0) {
            throw refused(run);
        }
    }

    /**
     * Why a run's guarded write found nothing: an operator asked it to stop, or it no longer owns
     * the job.
     */
    private RuntimeException refused(JobRun run) {
        return jdbc
                .query(
                        SqlStatements.get("find-job-by-id"),
                        params().addValue("id", run.jobId()),
                        (rs, n) ->
                                run.token().equals(rs.getString("run_token"))
                                                && rs.getBoolean("cancel_requested")
                                        ? new JobCancelledException(run.jobId())
                                        : (RuntimeException)
                                                new RunSupersededException(
                                                        run,
                                                        rs.getString("status")
                                                                + (rs.getString("run_token") == null
                                                                        ? ""
                                                                        : " under another run")))
                .stream()
                .findFirst()
                .orElseGet(() -> new RunSupersededException(run, "gone"));
    }

    /** A status change that ends a run, committed with the run's buffered log lines and its own. */
    private void endRun(JobRun run, JobLogBuffer.Line line, Runnable statusChange) {
        List<JobLogBuffer.Line> lines = logBuffer.pendingFollowedBy(run, line);
        transaction.executeWithoutResult(
                status -> {
                    statusChange.run();
                    insertLogs(run.jobId(), run, lines);
                });
        logBuffer.take(run);
    }

    private void writeLogsIfDue(JobRun run) {
        if (logBuffer.due(run)) {
            writeLogs(run);
        }
    }

    private void insertLog(
            String jobId, JobLogLevel level, Stage stage, String message, String errorCode) {
        insertLogs(jobId, null, List.of(logBuffer.line(level, stage, message, errorCode)));
    }

    /** One batch: a round trip for all the lines, written by {@code run} (null: not by a run). */
    private void insertLogs(String jobId, JobRun run, List<JobLogBuffer.Line> lines) {
        if (lines.isEmpty()) {
            return;
        }
        jdbc.batchUpdate(
                SqlStatements.get("insert-job-log"),
                lines.stream()
                        .map(
                                line ->
                                        params().addValue("now", utc(line.at()))
                                                .addValue("jobId", jobId)
                                                .addValue(
                                                        "run",
                                                        run == null ? null : run.shortToken())
                                                .addValue("level", line.level().name())
                                                .addValue("stage", line.stage().label())
                                                .addValue("message", truncate(line.message(), 4000))
                                                .addValue("errorCode", line.errorCode()))
                        .toArray(MapSqlParameterSource[]::new));
    }

    private boolean exists(String id) {
        return !jdbc.query(
                        SqlStatements.get("find-job-by-id"),
                        params().addValue("id", id),
                        (rs, n) -> rs.getString("id"))
                .isEmpty();
    }

    private int attempts(String id) {
        return jdbc
                .query(
                        SqlStatements.get("find-job-by-id"),
                        params().addValue("id", id),
                        (rs, n) -> rs.getInt("attempts"))
                .stream()
                .findFirst()
                .orElse(0);
    }

    private static RunningJob running(ResultSet rs, int rowNum) throws SQLException {
        return new RunningJob(
                new JobRun(rs.getString("id"), rs.getString("run_token")),
                rs.getString("order_id"),
                rs.getString("priority"),
                rs.getString("order_json"),
                rs.getInt("attempts"),
                Stage.fromLabel(rs.getString("stage")),
                rs.getBoolean("cancel_requested"),
                instant(rs, "heartbeat_at"),
                rs.getString("usb_mount"));
    }

    /** A PROCESSING job as recovery sees it: the run that owned it when it was read. */
    public record RunningJob(
            JobRun run,
            String orderId,
            String priority,
            String orderJson,
            int attempts,
            Stage stage,
            boolean cancelRequested,
            Instant heartbeatAt,
            String usbMount) {

        public String id() {
            return run.jobId();
        }
    }
}
