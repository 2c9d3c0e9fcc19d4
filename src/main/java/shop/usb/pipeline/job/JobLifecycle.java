package shop.usb.pipeline.job;

import static shop.usb.pipeline.job.JobRows.instant;
import static shop.usb.pipeline.job.JobRows.params;
import static shop.usb.pipeline.job.JobRows.truncate;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import shop.usb.pipeline.failure.ErrorCode;

/**
 * The job's state machine as intake, operators, the station and recovery move it: a job is created,
 * claimed by a new run, cancelled, queued again, dispatched to a stick, recovered when its run
 * died. What a run writes about itself, down to its own ending, is {@link RunRecord}'s. Each status
 * change goes through one guarded transition ({@link Transitions}): it applies only from the
 * statuses {@link JobStatus#enteredFrom()} allows, and only for the job's owner, the run whose
 * token the claim stored, or, for an operator or a claim, a job no run owns. A refused change is
 * never silently applied. Times that decide anything (heartbeats, due times, stalled checks) are
 * the database's ({@code CURRENT_TIMESTAMP}), never a JVM's, so instances with skewed clocks agree.
 * Reads for the API are {@link JobReads}', figures {@link JobStatistics}'.
 */
public class JobLifecycle {

    public static final String BEAN_NAME = "jobLifecycle";

    /**
     * A scheduled job message may fire this much before next_attempt_at (another clock fired it).
     */
    private static final Duration CLAIM_TOLERANCE = Duration.ofSeconds(1);

    private final DataSource dataSource;
    private final Transitions transitions;
    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transaction;

    /** {@code instanceId}: the instance whose transitions these are (the status events' source). */
    public JobLifecycle(DataSource dataSource, String instanceId, Clock clock) {
        this.dataSource = dataSource;
        this.transitions = new Transitions(dataSource, instanceId, clock);
        this.jdbc = transitions.jdbc;
        this.transaction = transitions.transaction;
    }

    /**
     * Records a QUEUED job for the order, with its customer's name as search matches it (may be
     * null); empty when the order already has a job.
     */
    public Optional<String> create(
            String orderId, String priority, String customerKey, String orderJson) {
        return create(new IncomingOrder(orderId, priority, customerKey, orderJson));
    }

    private Optional<String> create(IncomingOrder order) {
        try {
            return Optional.of(insertQueued(List.of(order)).get(0));
        } catch (DuplicateKeyException alreadyRecorded) {
            return Optional.empty();
        }
    }

    /**
     * Records a QUEUED job for each order (of distinct ids) in one transaction of its own, one
     * round trip per table: a manifest's batch. The new jobs' ids by order id. An order that has a
     * job already (another intake took it in meanwhile) gets none: the batch is then recorded order
     * by order, which needs the failed transaction gone, so no caller's may be open. Orders go in
     * by id, so two batches sharing ids wait for each other instead of deadlocking.
     */
    public Map<String, String> createAll(List<IncomingOrder> orders) {
        if (TransactionSynchronizationManager.hasResource(dataSource)) {
            throw new IllegalStateException(
                    "A batch of jobs is created in a database transaction of its own");
        }
        Map<String, String> created = new LinkedHashMap<>();
        if (orders.isEmpty()) {
            return created;
        }
        List<IncomingOrder> byId =
                orders.stream().sorted(Comparator.comparing(IncomingOrder::orderId)).toList();
        try {
            List<String> ids = insertQueued(byId);
            for (int i = 0; i < byId.size(); i++) {
                created.put(byId.get(i).orderId(), ids.get(i));
            }
        } catch (DuplicateKeyException someAlreadyRecorded) {
            for (IncomingOrder order : orders) {
                create(order).ifPresent(id -> created.put(order.orderId(), id));
            }
        }
        return created;
    }

    /**
     * Each order's receipt (a duplicate order id fails there, before its job row is written), job,
     * first status event and log line, in one transaction; the new jobs' ids in the orders' order.
     */
    private List<String> insertQueued(List<IncomingOrder> orders) {
        List<String> ids = orders.stream().map(order -> UUID.randomUUID().toString()).toList();
        MapSqlParameterSource[] receipts = new MapSqlParameterSource[orders.size()];
        MapSqlParameterSource[] jobs = new MapSqlParameterSource[orders.size()];
        List<StatusOutbox.FirstEvent> accepted = new ArrayList<>(orders.size());
        Map<String, String> received = new LinkedHashMap<>();
        for (int i = 0; i < orders.size(); i++) {
            IncomingOrder order = orders.get(i);
            String id = ids.get(i);
            receipts[i] = params().addValue("orderId", order.orderId()).addValue("id", id);
            jobs[i] =
                    params().addValue("id", id)
                            .addValue("orderId", order.orderId())
                            .addValue("status", JobStatus.QUEUED.name())
                            .addValue("stage", Stage.INTAKE.label())
                            .addValue("priority", order.priority())
                            .addValue("customerKey", order.customerKey())
                            .addValue("orderJson", order.orderJson());
            accepted.add(
                    new StatusOutbox.FirstEvent(
                            order.orderId(), id, StatusEvent.accepted(order.priority())));
            received.put(id, "Order " + order.orderId() + " received");
        }
        transaction.executeWithoutResult(
                status -> {
                    jdbc.batchUpdate(SqlStatements.get("insert-order-receipt"), receipts);
                    jdbc.batchUpdate(SqlStatements.get("insert-job"), jobs);
                    transitions.outbox.recordFirst(accepted);
                    transitions.insertOneLineEach(received, JobLogLevel.INFO, Stage.INTAKE);
                });
        return ids;
    }

    /**
     * The order was confirmed again: the shop hears that its job stays the one, with its status as
     * read under the order's event lock, so no transition's event comes between. Nothing when the
     * job is gone (retention).
     */
    public void recordDuplicate(String id) {
        transaction.executeWithoutResult(
                tx -> {
                    transitions.outbox.takeNumber(id);
                    Optional<JobStatus> status =
                            jdbc
                                    .query(
                                            SqlStatements.get("find-job-by-id"),
                                            params().addValue("id", id),
                                            (rs, n) -> JobStatus.valueOf(rs.getString("status")))
                                    .stream()
                                    .findFirst();
                    if (status.isEmpty()) {
                        tx.setRollbackOnly();
                        return;
                    }
                    transitions.outbox.insert(id, StatusEvent.duplicate(status.get()));
                });
    }

    /**
     * Moves a QUEUED or RETRYING job that is due to PROCESSING under the new run, for instance
     * {@code owner}, in the first stage ({@link Stage#FIRST}); empty when it is not claimable.
     */
    public Optional<ClaimedJob> claim(JobRun run, String owner) {
        String id = run.jobId();
        if (!transitions.apply(
                id,
                JobStatus.PROCESSING,
                null,
                "claim-job",
                params().addValue("newRunToken", run.token())
                        .addValue("owner", owner)
                        .addValue("stage", Stage.FIRST.label())
                        .addValue("progress", Stage.FIRST.progress())
                        .addValue("toleranceMs", CLAIM_TOLERANCE.toMillis()),
                StatusEvent.processing())) {
            return Optional.empty();
        }
        return Optional.of(
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
                                        instant(rs, "started_at"))));
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
                                rs.getString("priority"),
                                rs.getLong("bytes_planned")));
    }

    /**
     * A stick was kept for the waiting job: it is QUEUED again, due now; false when it no longer
     * waits.
     */
    public boolean dispatchWaiting(String id) {
        if (!transitions.apply(
                id,
                JobStatus.QUEUED,
                EnumSet.of(JobStatus.WAITING),
                null,
                "dispatch-waiting-job",
                params(),
                StatusEvent.queued("A fitting stick is ready"))) {
            return false;
        }
        transitions.insertLog(
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
            String priority,
            long bytesPlanned) {}

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
                    if (transitions.apply(
                            id,
                            JobStatus.CANCELLED,
                            null,
                            "cancel-waiting-job",
                            params(),
                            StatusEvent.cancelled())) {
                        transitions.insertLog(
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
                        transitions.insertLog(
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

    /**
     * A FAILED or CANCELLED job is queued again by {@code actor} with a fresh attempt budget; false
     * when it is in another status.
     */
    public boolean requeue(String id, String actor) {
        return Boolean.TRUE.equals(
                transaction.execute(
                        status -> {
                            int attempts = attempts(id);
                            if (!transitions.apply(
                                    id,
                                    JobStatus.QUEUED,
                                    JobAction.RETRY.allowedFrom(),
                                    null,
                                    "requeue-job",
                                    params().addValue("stage", Stage.INTAKE.label()),
                                    StatusEvent.queued("Queued again by an operator"))) {
                                return false;
                            }
                            transitions.insertLog(
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
                    if (jdbc.update(
                                    SqlStatements.get("record-reverify"),
                                    params().addValue("id", id)
                                            .addValue("result", truncate(result, 1000)))
                            == 0) {
                        return; // deleted by retention meanwhile
                    }
                    transitions.outbox.record(id, StatusEvent.reverified(asWritten, result));
                    transitions.insertLog(
                            id,
                            asWritten ? JobLogLevel.INFO : JobLogLevel.WARN,
                            Stage.VERIFY,
                            result,
                            asWritten ? null : ErrorCode.VERIFICATION_FAILED.name());
                });
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
}
