package shop.usb.pipeline.job;

import static shop.usb.pipeline.job.JobRows.names;
import static shop.usb.pipeline.job.JobRows.params;
import static shop.usb.pipeline.job.JobRows.truncate;
import static shop.usb.pipeline.job.JobRows.utc;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one way a job's status changes, shared by {@link JobLifecycle} (intake, operators, recovery)
 * and {@link RunRecord} (a run's own ending): a guarded statement that applies only from the
 * statuses its target may be entered from, and only for the job's owner; the status event the shop
 * hears of it ({@link StatusOutbox}), which commits with it or not at all; and the log lines that
 * commit with it.
 */
final class Transitions {

    final NamedParameterJdbcTemplate jdbc;
    final TransactionTemplate transaction;
    final StatusOutbox outbox;
    private final Clock clock;

    Transitions(DataSource dataSource, String instanceId, Clock clock) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.outbox = new StatusOutbox(dataSource, instanceId, clock);
        this.clock = clock;
    }

    /**
     * {@code statement} applies only from the statuses {@code target} may be entered from ({@code
     * :from}), and only for its owner: the run {@code owner} ({@code :runToken}), or, when that is
     * null, a job no run owns. True when it applied, and then {@code event} is written with it.
     */
    boolean apply(
            String id,
            JobStatus target,
            JobRun owner,
            String statement,
            MapSqlParameterSource values,
            StatusEvent event) {
        return apply(id, target, target.enteredFrom(), owner, statement, values, event);
    }

    /** A transition allowed from only some of the statuses {@code target} may be entered from. */
    boolean apply(
            String id,
            JobStatus target,
            Set<JobStatus> from,
            JobRun owner,
            String statement,
            MapSqlParameterSource values,
            StatusEvent event) {
        if (!target.enteredFrom().containsAll(from)) {
            throw new IllegalArgumentException(target + " cannot be entered from " + from);
        }
        if (event.status() != target) {
            throw new IllegalArgumentException(event.type() + " does not tell of " + target);
        }
        values.addValue("id", id)
                .addValue("status", target.name())
                .addValue("from", names(from))
                .addValue("runToken", owner == null ? null : owner.token());
        return Boolean.TRUE.equals(
                transaction.execute(
                        status -> {
                            if (jdbc.update(SqlStatements.get(statement), values) != 1) {
                                return false;
                            }
                            outbox.record(id, event);
                            return true;
                        }));
    }

    /**
     * Why a run's guarded write found nothing: an operator asked it to stop, or it no longer owns
     * the job.
     */
    RuntimeException refused(JobRun run) {
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

    JobLogBuffer.Line line(JobLogLevel level, Stage stage, String message, String errorCode) {
        return new JobLogBuffer.Line(clock.instant(), level, stage, message, errorCode);
    }

    /** A line written now, by no run (intake, an operator, recovery). */
    void insertLog(String jobId, JobLogLevel level, Stage stage, String message, String errorCode) {
        insertLogs(jobId, null, List.of(line(level, stage, message, errorCode)));
    }

    /** One batch: a round trip for all the lines, written by {@code run} (null: not by a run). */
    void insertLogs(String jobId, JobRun run, List<JobLogBuffer.Line> lines) {
        if (lines.isEmpty()) {
            return;
        }
        jdbc.batchUpdate(
                SqlStatements.get("insert-job-log"),
                lines.stream()
                        .map(line -> logRow(jobId, run, line))
                        .toArray(MapSqlParameterSource[]::new));
    }

    /** A line for each job (its message by job id), written now by no run, in one round trip. */
    void insertOneLineEach(Map<String, String> messages, JobLogLevel level, Stage stage) {
        jdbc.batchUpdate(
                SqlStatements.get("insert-job-log"),
                messages.entrySet().stream()
                        .map(
                                message ->
                                        logRow(
                                                message.getKey(),
                                                null,
                                                line(level, stage, message.getValue(), null)))
                        .toArray(MapSqlParameterSource[]::new));
    }

    private static MapSqlParameterSource logRow(String jobId, JobRun run, JobLogBuffer.Line line) {
        return params().addValue("now", utc(line.at()))
                .addValue("jobId", jobId)
                .addValue("run", run == null ? null : run.shortToken())
                .addValue("level", line.level().name())
                .addValue("stage", line.stage().label())
                .addValue("message", truncate(line.message(), 4000))
                .addValue("errorCode", line.errorCode());
    }
}
