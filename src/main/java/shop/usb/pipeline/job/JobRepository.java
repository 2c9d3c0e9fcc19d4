package shop.usb.pipeline.job;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The job table and its log. Every status change is a guarded UPDATE: it applies only from the
 * statuses {@link JobStatus#enteredFrom()} allows, and is refused otherwise.
 */
public class JobRepository {

    public static final String BEAN_NAME = "jobRepository";

    /** A scheduled job message may fire this much before next_attempt_at by the broker's clock. */
    private static final Duration CLAIM_TOLERANCE = Duration.ofSeconds(1);

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final JobLogBuffer logBuffer;
    private final Clock clock;

    /** {@code logDelay}: how long a running job's log line may wait to be written with others. */
    public JobRepository(DataSource dataSource, Duration logDelay, Clock clock) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.logBuffer = new JobLogBuffer(logDelay, clock);
        this.clock = clock;
    }

    /** Records a QUEUED job for the order; empty when the order already has a job. */
    public Optional<String> create(String orderId, String priority, String orderJson) {
        String id = UUID.randomUUID().toString();
        try {
            transaction.executeWithoutResult(status -> {
                jdbc.update(SqlStatements.get("insert-job"), params()
                        .addValue("id", id)
                        .addValue("orderId", orderId)
                        .addValue("stage", Stage.INTAKE.label())
                        .addValue("priority", priority)
                        .addValue("orderJson", orderJson));
                insertLog(id, "INFO", Stage.INTAKE, "Order " + orderId + " received", null);
            });
            return Optional.of(id);
        } catch (DuplicateKeyException alreadyRecorded) {
            return Optional.empty();
        }
    }

    /**
     * Moves a QUEUED or RETRYING job to PROCESSING for this instance; empty when it is not claimable.
     * From here until the run ends, the job's log lines are buffered (see {@link JobLogBuffer}).
     */
    public Optional<ClaimedJob> claim(String id, String owner) {
        int updated = jdbc.update(SqlStatements.get("claim-job"), guarded(id, JobStatus.PROCESSING)
                .addValue("owner", owner)
                .addValue("due", OffsetDateTime.now(clock).plus(CLAIM_TOLERANCE)));
        if (updated == 0) {
            return Optional.empty();
        }
        JobRow row = jdbc.queryForObject(SqlStatements.get("find-job-by-id"), params().addValue("id", id),
                (rs, n) -> new JobRow(rs.getString("order_id"), rs.getString("order_json"),
                        rs.getInt("attempts"), instant(rs, "started_at"), rs.getString("usb_mount")));
        log(id, "INFO", Stage.INTAKE, "Attempt " + row.attempts() + " started on " + owner);
        return Optional.of(new ClaimedJob(id, row.orderId(), row.orderJson(), row.attempts(), row.startedAt(),
                row.usbMount()));
    }

    /** Marks the start of a stage: stage, its progress, a heartbeat and a log line. */
    public void enterStage(String id, Stage stage, String message) {
        requireProcessing(id, jdbc.update(SqlStatements.get("update-job-stage"), params()
                .addValue("id", id)
                .addValue("stage", stage.label())
                .addValue("progress", stage.progress())));
        log(id, "INFO", stage, message);
    }

    public void recordPlan(String id, long bytesPlanned, int filesPlanned) {
        requireProcessing(id, jdbc.update(SqlStatements.get("update-job-plan"), params()
                .addValue("id", id)
                .addValue("bytesPlanned", bytesPlanned)
                .addValue("filesPlanned", filesPlanned)));
    }

    public void recordMount(String id, String mount) {
        requireProcessing(id, jdbc.update(SqlStatements.get("update-job-mount"), params()
                .addValue("id", id)
                .addValue("mount", mount)));
    }

    /** Progress within a stage; also the job's heartbeat, and a moment to write log lines that waited long enough. */
    public void recordProgress(String id, int progress, long bytesWritten, int filesWritten) {
        requireProcessing(id, jdbc.update(SqlStatements.get("update-job-progress"), params()
                .addValue("id", id)
                .addValue("progress", progress)
                .addValue("bytesWritten", bytesWritten)
                .addValue("filesWritten", filesWritten)));
        writeLogsIfDue(id);
    }

    /** Proves the job is alive during long work that changes nothing else. */
    public void heartbeat(String id) {
        requireProcessing(id, jdbc.update(SqlStatements.get("update-job-heartbeat"), params().addValue("id", id)));
        writeLogsIfDue(id);
    }

    public void complete(String id, Instant startedAt, String message) {
        endRun(id, logBuffer.line("INFO", Stage.DONE, message, null), () ->
                transition(id, JobStatus.COMPLETED, "complete-job", params()
                        .addValue("stage", Stage.DONE.label())
                        .addValue("durationMs", durationSince(startedAt))));
    }

    public void fail(String id, Stage stage, Instant startedAt, ErrorCode code, String message) {
        endRun(id, logBuffer.line("ERROR", stage, message, code.name()), () ->
                transition(id, JobStatus.FAILED, "fail-job", params()
                        .addValue("errorCode", code.name())
                        .addValue("errorMessage", truncate(message, 2000))
                        .addValue("recoverable", code.recoverable())
                        .addValue("durationMs", durationSince(startedAt))));
    }

    /**
     * PROCESSING to RETRYING after a recoverable failure; the job message for {@code nextAttemptAt} follows.
     * Throws {@link JobCancelledException} when an operator asked the job to stop: the cancel wins.
     */
    public void scheduleRetry(String id, Stage stage, ErrorCode code, String message, Instant nextAttemptAt) {
        endRun(id, logBuffer.line("WARN", stage, message + " (retry at " + nextAttemptAt + ")", code.name()), () ->
                requireProcessing(id, jdbc.update(SqlStatements.get("retry-job"), guarded(id, JobStatus.RETRYING)
                        .addValue("errorCode", code.name())
                        .addValue("errorMessage", truncate(message, 2000))
                        .addValue("nextAttemptAt", utc(nextAttemptAt)))));
    }

    public enum CancelOutcome { CANCELLED, REQUESTED, ALREADY_FINAL, NOT_FOUND }

    /** A waiting job is cancelled at once; a running one is asked to stop at its next checkpoint. */
    public CancelOutcome cancel(String id) {
        return transaction.execute(status -> {
            if (jdbc.update(SqlStatements.get("cancel-waiting-job"), params().addValue("id", id)) == 1) {
                insertLog(id, "INFO", Stage.INTAKE, "Cancelled by an operator before it ran", null);
                return CancelOutcome.CANCELLED;
            }
            if (jdbc.update(SqlStatements.get("request-job-cancel"), params().addValue("id", id)) == 1) {
                insertLog(id, "INFO", Stage.INTAKE, "Cancel requested; stopping at the next checkpoint", null);
                return CancelOutcome.REQUESTED;
            }
            return findById(id).isPresent() ? CancelOutcome.ALREADY_FINAL : CancelOutcome.NOT_FOUND;
        });
    }

    /** A running job that stopped for a cancel request ends CANCELLED. */
    public void cancelRunning(String id, Stage stage, String message) {
        endRun(id, logBuffer.line("INFO", stage, message, null), () -> {
            if (jdbc.update(SqlStatements.get("cancel-running-job"), params().addValue("id", id)) == 0) {
                throw new IllegalTransitionException(id, JobStatus.CANCELLED);
            }
        });
    }

    /** A FAILED or CANCELLED job is queued again with a fresh attempt budget; false when it is in another status. */
    public boolean requeue(String id) {
        return Boolean.TRUE.equals(transaction.execute(status -> {
            int attempts = findById(id).map(JobView::attempts).orElse(0);
            if (jdbc.update(SqlStatements.get("requeue-job"), guarded(id, JobStatus.QUEUED)
                    .addValue("stage", Stage.INTAKE.label())) == 0) {
                return false;
            }
            insertLog(id, "INFO", Stage.INTAKE, "Queued again by an operator after " + attempts + " attempts", null);
            return true;
        }));
    }

    /** PROCESSING jobs whose heartbeat is older than the threshold. */
    public List<RunningJob> findStalled(Instant stalledBefore) {
        return jdbc.query(SqlStatements.get("find-stalled-jobs"),
                params().addValue("stalledBefore", utc(stalledBefore)), JobRepository::running);
    }

    /** PROCESSING jobs this instance owned when it last ran: after a restart nobody runs them. */
    public List<RunningJob> findOwnRunning(String owner) {
        return jdbc.query(SqlStatements.get("find-own-running-jobs"), params().addValue("owner", owner),
                JobRepository::running);
    }

    /**
     * Ends a run nobody is doing any more: RETRYING with a due time, FAILED, or CANCELLED when a
     * cancel was asked for. False when another sweeper got there first.
     */
    public boolean recover(RunningJob job, JobStatus outcome, ErrorCode code, String message, Instant nextAttemptAt) {
        return Boolean.TRUE.equals(transaction.execute(status -> {
            Instant now = clock.instant();
            int updated = jdbc.update(SqlStatements.get("recover-stalled-job"), params()
                    .addValue("id", job.id())
                    .addValue("status", outcome.name())
                    .addValue("errorCode", code == null ? null : code.name())
                    .addValue("recoverable", code == null ? null : code.recoverable())
                    .addValue("errorMessage", message)
                    .addValue("nextAttemptAt", nextAttemptAt == null ? null : utc(nextAttemptAt))
                    .addValue("completedAt", outcome.isFinal() ? utc(now) : null)
                    .addValue("heartbeatAt", utc(job.heartbeatAt())));
            if (updated == 1) {
                insertLog(job.id(), outcome == JobStatus.RETRYING ? "WARN" : "ERROR", job.stage(), message,
                        code == null ? null : code.name());
            }
            return updated == 1;
        }));
    }

    /** Waiting jobs that should have run long ago; each is marked so it is re-sent at most once per period. */
    public List<String> takeOverdue(Instant overdueBefore) {
        MapSqlParameterSource values = params().addValue("overdueBefore", utc(overdueBefore));
        return jdbc.queryForList(SqlStatements.get("find-overdue-jobs"), values, String.class).stream()
                .filter(id -> jdbc.update(SqlStatements.get("touch-overdue-job"),
                        params().addValue("id", id).addValue("overdueBefore", utc(overdueBefore))) == 1)
                .toList();
    }

    /** A line in a running job's log, written with its next status change or progress write. */
    public void log(String id, String level, Stage stage, String message) {
        logBuffer.add(id, logBuffer.line(level, stage, message, null));
        writeLogsIfDue(id);
    }

    /** Writes what is left of a run's log, however the run ended (its status change may have been refused). */
    public void writeLogs(String id) {
        insertLogs(id, logBuffer.take(id));
    }

    public Optional<JobView> findById(String id) {
        return jdbc.query(SqlStatements.get("find-job-by-id"), params().addValue("id", id), JobRepository::view)
                .stream().findFirst();
    }

    public Optional<JobView> findByOrderId(String orderId) {
        return jdbc.query(SqlStatements.get("find-job-by-order-id"), params().addValue("orderId", orderId),
                JobRepository::view).stream().findFirst();
    }

    /** The jobs these orders already have, as "ID (STATUS)" by orderId; orders without a job are absent. */
    public Map<String, String> jobsOfOrders(Collection<String> orderIds) {
        Map<String, String> jobs = new HashMap<>();
        jdbc.query(SqlStatements.get("find-jobs-of-orders"), params().addValue("orderIds", orderIds),
                (RowCallbackHandler) rs -> jobs.put(rs.getString("order_id"),
                        rs.getString("id") + " (" + rs.getString("status") + ")"));
        return jobs;
    }

    /** A page of jobs, newest first, with the cursor of the next page when there is one. */
    public JobPage find(JobQuery query) {
        JobCursor after = query.after();
        List<JobView> rows = jdbc.query(SqlStatements.get("find-jobs"), params()
                .addValue("orderId", query.orderId())
                .addValue("status", query.status() == null ? null : query.status().name())
                .addValue("priority", query.priority())
                .addValue("createdFrom", query.createdFrom() == null ? null : utc(query.createdFrom()))
                .addValue("createdTo", query.createdTo() == null ? null : utc(query.createdTo()))
                .addValue("cursorAt", after == null ? null : utc(after.createdAt()))
                .addValue("cursorId", after == null ? "" : after.id())
                .addValue("limit", query.limit() + 1), JobRepository::view);
        if (rows.size() <= query.limit()) {
            return new JobPage(rows, null);
        }
        JobView last = rows.get(query.limit() - 1);
        return new JobPage(rows.subList(0, query.limit()),
                new JobCursor(Instant.parse(last.createdAt()), last.id()).encode());
    }

    /** Jobs of one order, newest first. */
    public List<JobView> findAll(String orderId, int limit) {
        return find(new JobQuery(orderId, null, null, null, null, null, limit)).jobs();
    }

    public StatusSummary statusSummary() {
        Map<JobStatus, Long> counts = new java.util.EnumMap<>(JobStatus.class);
        Double[] avgCompleted = {null};
        Instant[] oldestQueued = {null};
        jdbc.query(SqlStatements.get("queue-stats"), params(), (RowCallbackHandler) rs -> {
            JobStatus status = JobStatus.valueOf(rs.getString("status"));
            counts.put(status, rs.getLong("jobs"));
            if (status == JobStatus.COMPLETED) {
                avgCompleted[0] = rs.getObject("avg_duration_ms") == null ? null : rs.getDouble("avg_duration_ms");
            } else if (status == JobStatus.QUEUED) {
                oldestQueued[0] = instant(rs, "oldest_created_at");
            }
        });
        return new StatusSummary(counts, avgCompleted[0], oldestQueued[0]);
    }

    public JobFigures figures(Duration stalledAfter) {
        Instant now = clock.instant();
        return jdbc.queryForObject(SqlStatements.get("job-figures"), params()
                .addValue("hourAgo", utc(now.minus(Duration.ofHours(1))))
                .addValue("dayAgo", utc(now.minus(Duration.ofDays(1))))
                .addValue("stalledBefore", utc(now.minus(stalledAfter))),
                (rs, n) -> new JobFigures(rs.getLong("completed_last_hour"), rs.getLong("failed_last_hour"),
                        rs.getLong("completed_last_day"), rs.getLong("stalled"), instant(rs, "oldest_queued_at")));
    }

    /** Rows of status, priority, jobs, and sums for average processing and queue time. */
    public List<Map<String, Object>> statistics() {
        return jdbc.queryForList(SqlStatements.get("job-stats"), params());
    }

    /** Rows of error_code, status (FAILED or RETRYING) and jobs. */
    public List<Map<String, Object>> errorCounts() {
        return jdbc.queryForList(SqlStatements.get("error-counts"), params());
    }

    /** Deletes up to {@code batchSize} COMPLETED or CANCELLED jobs that ended before the time, with their logs. */
    public int deleteEnded(Instant endedBefore, int batchSize) {
        return jdbc.update(SqlStatements.get("delete-expired-jobs"), params()
                .addValue("before", utc(endedBefore))
                .addValue("batchSize", batchSize));
    }

    public List<JobLogView> logs(String jobId) {
        return jdbc.query(SqlStatements.get("find-job-logs"), params().addValue("jobId", jobId),
                (rs, n) -> new JobLogView(iso(rs, "logged_at"), rs.getString("log_level"), rs.getString("stage"),
                        rs.getString("message"), rs.getString("error_code")));
    }


    private MapSqlParameterSource params() {
        return new MapSqlParameterSource("now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC));
    }

    private MapSqlParameterSource guarded(String id, JobStatus target) {
        return params().addValue("id", id).addValue("from", target.enteredFromNames());
    }

    private void transition(String id, JobStatus target, String statement, MapSqlParameterSource values) {
        values.addValue("id", id).addValue("from", target.enteredFromNames());
        if (jdbc.update(SqlStatements.get(statement), values) == 0) {
            throw new IllegalTransitionException(id, target);
        }
    }

    /** A worker's update found nothing to change: an operator cancelled the job, or it is no longer running. */
    private void requireProcessing(String id, int updated) {
        if (updated == 0) {
            boolean cancelled = jdbc.query(SqlStatements.get("find-job-by-id"), params().addValue("id", id),
                    (rs, n) -> rs.getBoolean("cancel_requested") || "CANCELLED".equals(rs.getString("status")))
                    .stream().findFirst().orElse(false);
            throw cancelled ? new JobCancelledException(id) : new IllegalTransitionException(id, JobStatus.PROCESSING);
        }
    }

    /** A status change that ends a run, committed with the run's buffered log lines and its own. */
    private void endRun(String id, JobLogBuffer.Line line, Runnable statusChange) {
        List<JobLogBuffer.Line> lines = logBuffer.pendingFollowedBy(id, line);
        transaction.executeWithoutResult(status -> {
            statusChange.run();
            insertLogs(id, lines);
        });
        logBuffer.take(id);
    }

    private void writeLogsIfDue(String id) {
        if (logBuffer.due(id)) {
            writeLogs(id);
        }
    }

    private void insertLog(String jobId, String level, Stage stage, String message, String errorCode) {
        insertLogs(jobId, List.of(logBuffer.line(level, stage, message, errorCode)));
    }

    /** One batch: a round trip for all the lines. */
    private void insertLogs(String jobId, List<JobLogBuffer.Line> lines) {
        if (lines.isEmpty()) {
            return;
        }
        jdbc.batchUpdate(SqlStatements.get("insert-job-log"), lines.stream().map(line -> params()
                .addValue("now", utc(line.at()))
                .addValue("jobId", jobId)
                .addValue("level", line.level())
                .addValue("stage", line.stage().label())
                .addValue("message", truncate(line.message(), 4000))
                .addValue("errorCode", line.errorCode())).toArray(MapSqlParameterSource[]::new));
    }

    private long durationSince(Instant startedAt) {
        return Duration.between(startedAt, clock.instant()).toMillis();
    }

    private static String truncate(String text, int max) {
        String value = text == null ? "" : text;
        return value.length() <= max ? value : value.substring(0, max);
    }

    private static JobView view(ResultSet rs, int rowNum) throws SQLException {
        return new JobView(
                rs.getString("id"),
                rs.getString("order_id"),
                rs.getString("status"),
                rs.getString("stage"),
                rs.getInt("progress"),
                rs.getString("priority"),
                rs.getInt("attempts"),
                rs.getString("usb_mount"),
                rs.getObject("bytes_planned", Long.class),
                rs.getObject("files_planned", Integer.class),
                rs.getLong("bytes_written"),
                rs.getInt("files_written"),
                rs.getString("error_code"),
                rs.getString("error_message"),
                rs.getObject("error_recoverable", Boolean.class),
                iso(rs, "created_at"),
                iso(rs, "started_at"),
                iso(rs, "completed_at"),
                iso(rs, "updated_at"),
                rs.getObject("duration_ms", Long.class));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static String iso(ResultSet rs, String column) throws SQLException {
        Instant value = instant(rs, column);
        return value == null ? null : value.toString();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static RunningJob running(ResultSet rs, int rowNum) throws SQLException {
        return new RunningJob(rs.getString("id"), rs.getString("order_id"), rs.getString("order_json"),
                rs.getInt("attempts"), Stage.fromLabel(rs.getString("stage")), rs.getBoolean("cancel_requested"),
                instant(rs, "heartbeat_at"), rs.getString("usb_mount"));
    }

    /** A PROCESSING job as recovery sees it. */
    public record RunningJob(String id, String orderId, String orderJson, int attempts, Stage stage,
            boolean cancelRequested, Instant heartbeatAt, String usbMount) {
    }

    private record JobRow(String orderId, String orderJson, int attempts, Instant startedAt, String usbMount) {
    }
}
