package shop.usb.pipeline.job;

import static shop.usb.pipeline.job.JobRows.instant;
import static shop.usb.pipeline.job.JobRows.iso;
import static shop.usb.pipeline.job.JobRows.names;
import static shop.usb.pipeline.job.JobRows.params;
import static shop.usb.pipeline.job.JobRows.utc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/** Jobs and their logs as the API and intake read them: one job, pages, bulk batches, receipts. */
public class JobReads {

    public static final String BEAN_NAME = "jobReads";

    private final NamedParameterJdbcTemplate jdbc;

    public JobReads(DataSource dataSource) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
    }

    public Optional<JobView> findById(String id) {
        return jdbc
                .query(
                        SqlStatements.get("find-job-by-id"),
                        params().addValue("id", id),
                        JobReads::view)
                .stream()
                .findFirst();
    }

    public Optional<JobView> findByOrderId(String orderId) {
        return jdbc
                .query(
                        SqlStatements.get("find-job-by-order-id"),
                        params().addValue("orderId", orderId),
                        JobReads::view)
                .stream()
                .findFirst();
    }

    /** The jobs these orders already have, by orderId; orders without a job are absent. */
    public Map<String, OrderJob> jobsOfOrders(Collection<String> orderIds) {
        Map<String, OrderJob> jobs = new HashMap<>();
        jdbc.query(
                SqlStatements.get("find-jobs-of-orders"),
                params().addValue("orderIds", orderIds),
                (RowCallbackHandler)
                        rs ->
                                jobs.put(
                                        rs.getString("order_id"),
                                        new OrderJob(
                                                rs.getString("job_id"),
                                                rs.getString("status"),
                                                rs.getString("priority"))));
        return jobs;
    }

    /** The job an order became: its status, or "deleted by retention" (then without a priority). */
    public record OrderJob(String jobId, String status, String priority) {

        public boolean queued() {
            return JobStatus.QUEUED.name().equals(status);
        }

        /** "ID (STATUS)", as a report names it. */
        @Override
        public String toString() {
            return jobId + " (" + status + ")";
        }
    }

    /**
     * A page of jobs, newest first, with the cursor of the next page when there is one. A search
     * has a statement of its own, one branch per key, each of which PostgreSQL reads through an
     * index.
     */
    public JobPage find(JobQuery query) {
        List<JobView> rows =
                jdbc.query(
                        SqlStatements.get(query.text() == null ? "find-jobs" : "search-jobs"),
                        after(filter(query), query.after()).addValue("limit", query.limit() + 1),
                        JobReads::view);
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

    /** Jobs of one order, newest first. */
    public List<JobView> findAll(String orderId, int limit) {
        return find(new JobQuery(orderId, null, null, null, null, null, null, null, null, limit))
                .jobs();
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
                                JobLogLevel.valueOf(rs.getString("log_level")),
                                rs.getString("stage"),
                                rs.getString("message"),
                                rs.getString("error_code")));
    }

    static JobView view(ResultSet rs, int rowNum) throws SQLException {
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
}
