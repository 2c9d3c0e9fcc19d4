package shop.usb.pipeline.job;

import static shop.usb.pipeline.job.JobRows.instant;
import static shop.usb.pipeline.job.JobRows.params;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import shop.usb.pipeline.failure.ErrorCode;

/**
 * PROCESSING jobs whose run nobody does any more, as recovery finds and ends them: stalled (no
 * heartbeat for a while, by the database's clock) or this instance's own from before a restart.
 * Each is ended by one guarded transition ({@link Transitions}), with its status event.
 */
public class InterruptedRuns {

    private final Transitions transitions;
    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transaction;

    /** {@code instanceId}: the instance that recovers (the status events' source). */
    public InterruptedRuns(DataSource dataSource, String instanceId, Clock clock) {
        this.transitions = new Transitions(dataSource, instanceId, clock);
        this.jdbc = transitions.jdbc;
        this.transaction = transitions.transaction;
    }

    /** Running jobs whose heartbeat is older than {@code stalledAfter} by the database's clock. */
    public List<RunningJob> findStalled(Duration stalledAfter) {
        return jdbc.query(
                SqlStatements.get("find-stalled-jobs"),
                params().addValue("status", JobStatus.PROCESSING.name())
                        .addValue("stalledAfterMs", stalledAfter.toMillis()),
                InterruptedRuns::running);
    }

    /** PROCESSING jobs this instance owned when it last ran: after a restart nobody runs them. */
    public List<RunningJob> findOwnRunning(String owner) {
        return jdbc.query(
                SqlStatements.get("find-own-running-jobs"),
                params().addValue("status", JobStatus.PROCESSING.name()).addValue("owner", owner),
                InterruptedRuns::running);
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
                                    transitions.apply(
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
                                                            stalledAfter.toMillis()),
                                            outcome == JobStatus.CANCELLED
                                                    ? StatusEvent.cancelled()
                                                    : StatusEvent.failed(outcome, code, message));
                            if (recovered) {
                                transitions.insertLog(
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
