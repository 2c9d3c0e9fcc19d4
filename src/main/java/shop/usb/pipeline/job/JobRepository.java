package shop.usb.pipeline.job;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The job table and its log. Every status change goes through one guarded transition ({@link
 * #transition}): it applies only from the statuses {@link JobStatus#enteredFrom()} allows, and only
 * for the job's owner, the run whose token the claim stored, or, for an operator or a claim, a job
 * no run owns. A refused change is never silently applied. Times that decide anything (heartbeats,
 * due times, stalled checks) are the database's ({@code CURRENT_TIMESTAMP}), never a JVM's, so
 * instances with skewed clocks agree.
 */
public class JobRepository {

    public static final String BEAN_NAME = "jobRepository";

    /**
     * A scheduled job message may fire this much before next_attempt_at (another clock fired it).
     */
    private static final Duration CLAIM_TOLERANCE = Duration.ofSeconds(1);

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final JobLogBuffer logBuffer;

    /** {@code logDelay}: how long a running job's log line may wait to be written with others. */
    public JobRepository(DataSource dataSource, Duration logDelay, Clock clock) {
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
                        insertLog(id, "INFO", Stage.INTAKE, "Order " + orderId + " received", null);
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
                "INFO",
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
        log(run, "INFO", stage, message);
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
                logBuffer.line("INFO", Stage.DONE, message, null),
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
                logBuffer.line("ERROR", stage, message, code.name()),
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
                        "WARN",
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
                logBuffer.line("INFO", stage, "Waiting for " + waitingFor, null),
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

    /** Waiting jobs per size class bought (capacity bytes). */
    public Map<Long, Long> countWaiting() {
        Map<Long, Long> counts = new java.util.TreeMap<>();
        jdbc.query(
                SqlStatements.get("count-waiting-jobs"),
                params().addValue("status", JobStatus.WAITING.name()),
                (RowCallbackHandler)
                        rs -> counts.put(rs.getLong("capacity_bytes"), rs.getLong("jobs")));
        return counts;
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
        insertLog(id, "INFO", Stage.WRITE_USB, "A fitting stick is ready; queued again", null);
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
                                "INFO",
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
                                "INFO",
                                Stage.INTAKE,
                                "Cancel requested by "
                                        + actor
                                        + "; stopping at the next checkpoint",
                                null);
                        return CancelOutcome.REQUESTED;
                    }
                    return findById(id).isPresent()
                            ? CancelOutcome.ALREADY_FINAL
                            : CancelOutcome.NOT_FOUND;
                });
    }

    /** A running job that stopped for a cancel request ends CANCELLED. */
    public void cancelRunning(JobRun run, Stage stage, String message) {
        endRun(
                run,
                logBuffer.line("INFO", stage, message, null),
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
                            int attempts = findById(id).map(JobView::attempts).orElse(0);
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
                                    "INFO",
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
                            asWritten ? "INFO" : "WARN",
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
                JobRepository::running);
    }

    /** PROCESSING jobs this instance owned when it last ran: after a restart nobody runs them. */
    public List<RunningJob> findOwnRunning(String owner) {
        return jdbc.query(
                SqlStatements.get("find-own-running-jobs"),
                params().addValue("status", JobStatus.PROCESSING.name()).addValue("owner", owner),
                JobRepository::running);
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
                                        outcome == JobStatus.RETRYING ? "WARN" : "ERROR",
                                        job.stage(),
                                        message,
                                        code == null ? null : code.name());
                            }
                            return recovered;
                        }));
    }

    /**
     * Waiting jobs that should have run long ago (a due time past by {@code overdueAfter}, or
     * QUEUED without one for {@code queuedOverdueAfter}), with their priority; each is re-sent at
     * most once per period.
     */
    public List<Map.Entry<String, String>> takeOverdue(
            Duration overdueAfter, Duration queuedOverdueAfter) {
        MapSqlParameterSource values =
                params().addValue("waiting", JobStatus.waitingNames())
                        .addValue("overdueAfterMs", overdueAfter.toMillis())
                        .addValue("queuedOverdueAfterMs", queuedOverdueAfter.toMillis());
        return jdbc
                .query(
                        SqlStatements.get("find-overdue-jobs"),
                        values,
                        (rs, n) -> Map.entry(rs.getString("id"), rs.getString("priority")))
                .stream()
                .filter(
                        job ->
                                jdbc.update(
                                                SqlStatements.get("touch-overdue-job"),
                                                new MapSqlParameterSource(values.getValues())
                                                        .addValue("id", job.getKey()))
                                        == 1)
                .toList();
    }

    /** A line in a running job's log, written with its next status change or progress write. */
    public void log(JobRun run, String level, Stage stage, String message) {
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

    public Optional<JobView> findById(String id) {
        return jdbc
                .query(
                        SqlStatements.get("find-job-by-id"),
                        params().addValue("id", id),
                        JobRepository::view)
                .stream()
                .findFirst();
    }

    public Optional<JobView> findByOrderId(String orderId) {
        return jdbc
                .query(
                        SqlStatements.get("find-job-by-order-id"),
                        params().addValue("orderId", orderId),
                        JobRepository::view)
                .stream()
                .findFirst();
    }

    /**
     * The jobs these orders already have, as "ID (STATUS)" by orderId; orders without a job are
     * absent.
     */
    public Map<String, String> jobsOfOrders(Collection<String> orderIds) {
        Map<String, String> jobs = new HashMap<>();
        jdbc.query(
                SqlStatements.get("find-jobs-of-orders"),
                params().addValue("orderIds", orderIds),
                (RowCallbackHandler)
                        rs ->
                                jobs.put(
                                        rs.getString("order_id"),
                                        rs.getString("job_id")
                                                + " ("
                                                + rs.getString("status")
                                                + ")"));
        return jobs;
    }

    /** A page of jobs, newest first, with the cursor of the next page when there is one. */
    public JobPage find(JobQuery query) {
        List<JobView> rows =
                jdbc.query(
                        SqlStatements.get("find-jobs"),
                        after(filter(query), query.after()).addValue("limit", query.limit() + 1),
                        JobRepository::view);
        if (rows.size() <= query.limit()) {
            return new JobPage(rows, null);
        }
        JobView last = rows.get(query.limit() - 1);
        return new JobPage(
                rows.subList(0, query.limit()),
                new JobCursor(Instant.parse(last.createdAt()), last.id()).encode());
    }

    /** How many jobs a bulk action's filters match, and how many of those it may change. */
    public record BulkCount(long matched, long eligible) {}

    public BulkCount count(JobQuery query, Set<JobStatus> eligible) {
        return jdbc.queryForObject(
                SqlStatements.get("count-jobs"),
                filter(query).addValue("eligible", names(eligible)),
                (rs, row) -> new BulkCount(rs.getLong("matched"), rs.getLong("eligible")));
    }

    /** A job a bulk action acts on, and where its batch ends. */
    public record BulkTarget(String id, String priority, JobCursor cursor) {}

    /**
     * The next batch of jobs the filters match in one of {@code eligible}, newest first after
     * {@code after}.
     */
    public List<BulkTarget> eligibleBatch(
            JobQuery query, Set<JobStatus> eligible, JobCursor after, int limit) {
        return jdbc.query(
                SqlStatements.get("find-eligible-jobs"),
                after(filter(query), after)
                        .addValue("eligible", names(eligible))
                        .addValue("limit", limit),
                (rs, row) ->
                        new BulkTarget(
                                rs.getString("id"),
                                rs.getString("priority"),
                                new JobCursor(instant(rs, "created_at"), rs.getString("id"))));
    }

    /** The list's filters and search as the statements of job-filter.sql read them. */
    private static MapSqlParameterSource filter(JobQuery query) {
        return params().addValue("orderId", query.orderId())
                .addValue("status", query.status() == null ? null : query.status().name())
                .addValue("priority", query.priority())
                .addValue("errorCode", query.errorCode())
                .addValue("stick", query.stick())
                .addValue("text", query.text())
                .addValue("textPrefix", likePattern(query.text(), "", "%"))
                .addValue("textLowerPrefix", likePattern(lower(query.text()), "", "%"))
                .addValue("textLowerInside", likePattern(lower(query.text()), "%", "%"))
                .addValue(
                        "textUpper",
                        query.text() == null ? null : query.text().toUpperCase(Locale.ROOT))
                .addValue(
                        "createdFrom",
                        query.createdFrom() == null ? null : utc(query.createdFrom()))
                .addValue("createdTo", query.createdTo() == null ? null : utc(query.createdTo()));
    }

    private static MapSqlParameterSource after(MapSqlParameterSource values, JobCursor after) {
        return values.addValue("cursorAt", after == null ? null : utc(after.createdAt()))
                .addValue("cursorId", after == null ? "" : after.id());
    }

    private static List<String> names(Set<JobStatus> statuses) {
        return statuses.stream().map(Enum::name).toList();
    }

    /** Jobs of one order, newest first. */
    public List<JobView> findAll(String orderId, int limit) {
        return find(new JobQuery(orderId, null, null, null, null, null, null, null, null, limit))
                .jobs();
    }

    public StatusSummary statusSummary() {
        Map<JobStatus, Long> counts = new java.util.EnumMap<>(JobStatus.class);
        Double[] avgCompleted = {null};
        Instant[] oldestQueued = {null};
        jdbc.query(
                SqlStatements.get("queue-stats"),
                params(),
                (RowCallbackHandler)
                        rs -> {
                            JobStatus status = JobStatus.valueOf(rs.getString("status"));
                            counts.put(status, rs.getLong("jobs"));
                            if (status == JobStatus.COMPLETED) {
                                avgCompleted[0] =
                                        rs.getObject("avg_duration_ms") == null
                                                ? null
                                                : rs.getDouble("avg_duration_ms");
                            } else if (status == JobStatus.QUEUED) {
                                oldestQueued[0] = instant(rs, "oldest_created_at");
                            }
                        });
        return new StatusSummary(counts, avgCompleted[0], oldestQueued[0]);
    }

    public JobFigures figures(Duration stalledAfter) {
        return jdbc.queryForObject(
                SqlStatements.get("job-figures"),
                params().addValue("stalledAfterMs", stalledAfter.toMillis()),
                (rs, n) ->
                        new JobFigures(
                                rs.getLong("completed_last_hour"),
                                rs.getLong("failed_last_hour"),
                                rs.getLong("completed_last_day"),
                                rs.getLong("stalled"),
                                instant(rs, "oldest_queued_at")));
    }

    /** Rows of status, priority, jobs, and sums for average processing and queue time. */
    public List<Map<String, Object>> statistics() {
        return jdbc.queryForList(SqlStatements.get("job-stats"), params());
    }

    /**
     * Jobs completed in each of the last {@code minutes} minutes, oldest first, by the database's
     * clock.
     */
    public List<MinuteCount> completedPerMinute(int minutes) {
        Instant now =
                jdbc.getJdbcTemplate()
                        .queryForObject(
                                SqlStatements.get("database-time"),
                                (rs, row) -> rs.getObject("now", OffsetDateTime.class).toInstant());
        long thisMinute = now.getEpochSecond() / 60;
        Map<Long, Long> counts = new HashMap<>();
        jdbc.query(
                SqlStatements.get("completed-per-minute"),
                params().addValue("minutes", minutes),
                (RowCallbackHandler)
                        rs -> counts.put(rs.getLong("epoch_minute"), rs.getLong("jobs")));
        List<MinuteCount> perMinute = new ArrayList<>();
        for (long minute = thisMinute - minutes + 1; minute <= thisMinute; minute++) {
            perMinute.add(
                    new MinuteCount(
                            Instant.ofEpochSecond(minute * 60).toString(),
                            counts.getOrDefault(minute, 0L)));
        }
        return perMinute;
    }

    /** The jobs completed in the minute that starts at {@code minute} (ISO-8601). */
    public record MinuteCount(String minute, long jobs) {}

    /** Rows of error_code, status (FAILED or RETRYING) and jobs. */
    public List<Map<String, Object>> errorCounts() {
        return jdbc.queryForList(SqlStatements.get("error-counts"), params());
    }

    /**
     * The job an order id became and when it was received, even after retention deleted that job.
     */
    public Optional<OrderReceipt> receiptOf(String orderId) {
        return jdbc
                .query(
                        SqlStatements.get("find-order-receipt"),
                        params().addValue("orderId", orderId),
                        (rs, n) -> new OrderReceipt(rs.getString("job_id"), iso(rs, "received_at")))
                .stream()
                .findFirst();
    }

    public record OrderReceipt(String jobId, String receivedAt) {}

    /**
     * Deletes up to {@code batchSize} COMPLETED or CANCELLED jobs that ended before the time, with
     * their logs; their order receipts stay.
     */
    public int deleteEnded(Instant endedBefore, int batchSize) {
        return jdbc.update(
                SqlStatements.get("delete-expired-jobs"),
                params().addValue("before", utc(endedBefore)).addValue("batchSize", batchSize));
    }

    /** The job's log lines written after line {@code afterId} (0 for all). */
    public List<JobLogView> logs(String jobId, long afterId) {
        return jdbc.query(
                SqlStatements.get("find-job-logs"),
                params().addValue("jobId", jobId).addValue("after", afterId),
                (rs, n) ->
                        new JobLogView(
                                rs.getLong("id"),
                                rs.getString("run_token"),
                                iso(rs, "logged_at"),
                                rs.getString("log_level"),
                                rs.getString("stage"),
                                rs.getString("message"),
                                rs.getString("error_code")));
    }

    private static MapSqlParameterSource params() {
        return new MapSqlParameterSource();
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
            String jobId, String level, Stage stage, String message, String errorCode) {
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
                                                .addValue("level", line.level())
                                                .addValue("stage", line.stage().label())
                                                .addValue("message", truncate(line.message(), 4000))
                                                .addValue("errorCode", line.errorCode()))
                        .toArray(MapSqlParameterSource[]::new));
    }

    private static String truncate(String text, int max) {
        String value = text == null ? "" : text;
        return value.length() <= max ? value : value.substring(0, max);
    }

    private static JobView view(ResultSet rs, int rowNum) throws SQLException {
        JobStatus status = JobStatus.valueOf(rs.getString("status"));
        boolean hasStick = rs.getString("stick_id") != null;
        return new JobView(
                rs.getString("id"),
                rs.getString("order_id"),
                status,
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
                rs.getObject("duration_ms", Long.class),
                rs.getString("verified_by"),
                rs.getString("slot"),
                !hasStick
                        ? null
                        : new JobView.StickRecord(
                                rs.getString("stick_id"),
                                rs.getString("stick_serial"),
                                rs.getObject("stick_size_bytes", Long.class),
                                rs.getString("stick_fs_type"),
                                rs.getString("stick_label")),
                rs.getString("manifest_sha256"),
                rs.getString("waiting_for"),
                rs.getString("volume_label"),
                iso(rs, "reverified_at"),
                rs.getString("reverify_result"),
                JobAction.allowedFor(status, hasStick));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static String iso(ResultSet rs, String column) throws SQLException {
        Instant value = instant(rs, column);
        return value == null ? null : value.toString();
    }

    /**
     * A LIKE pattern matching {@code text} literally (its % and _ escaped) between these wildcards.
     */
    private static String likePattern(String text, String before, String after) {
        if (text == null) {
            return null;
        }
        return before + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + after;
    }

    private static String lower(String text) {
        return text == null ? null : text.toLowerCase(Locale.ROOT);
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
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
