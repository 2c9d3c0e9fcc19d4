package shop.usb.pipeline.job;

import static shop.usb.pipeline.job.JobRows.instant;
import static shop.usb.pipeline.job.JobRows.params;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/** Figures over all jobs, for the API, the dashboard's charts, health and metrics. */
public class JobStatistics {

    public static final String BEAN_NAME = "jobStatistics";

    private final NamedParameterJdbcTemplate jdbc;

    public JobStatistics(DataSource dataSource) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
    }

    public StatusSummary statusSummary() {
        Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
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

    /**
     * Jobs of one status and priority, with the sums behind the average processing time (of those
     * with a duration) and queue time (of those that started).
     */
    public record StatusPriorityCount(
            JobStatus status,
            String priority,
            long jobs,
            double durationMsSum,
            long durationMsCount,
            double queueMsSum,
            long startedCount) {}

    /** One row per status and priority that has jobs. */
    public List<StatusPriorityCount> byStatusAndPriority() {
        return jdbc.query(
                SqlStatements.get("job-stats"),
                params(),
                (rs, n) ->
                        new StatusPriorityCount(
                                JobStatus.valueOf(rs.getString("status")),
                                rs.getString("priority"),
                                rs.getLong("jobs"),
                                rs.getDouble("duration_ms_sum"),
                                rs.getLong("duration_ms_count"),
                                rs.getDouble("queue_ms_sum"),
                                rs.getLong("started_count")));
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

    /** Jobs that failed for good (FAILED) or wait for a retry (RETRYING) with an error code. */
    public record ErrorCount(String errorCode, JobStatus status, long jobs) {}

    public List<ErrorCount> errorCounts() {
        return jdbc.query(
                SqlStatements.get("error-counts"),
                params(),
                (rs, n) ->
                        new ErrorCount(
                                rs.getString("error_code"),
                                JobStatus.valueOf(rs.getString("status")),
                                rs.getLong("jobs")));
    }

    /** Waiting jobs per size class bought (capacity bytes). */
    public Map<Long, Long> countWaiting() {
        Map<Long, Long> counts = new TreeMap<>();
        jdbc.query(
                SqlStatements.get("count-waiting-jobs"),
                params().addValue("status", JobStatus.WAITING.name()),
                (RowCallbackHandler)
                        rs -> counts.put(rs.getLong("capacity_bytes"), rs.getLong("jobs")));
        return counts;
    }
}
