package shop.usb.pipeline.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import shop.usb.pipeline.job.JobAction;
import shop.usb.pipeline.job.JobCursor;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.SqlStatements;

/**
 * The bulk operations' rows: each operation is held by one run (its token); a batch's counts and
 * cursor are recorded in the batch's own transaction, and only while the run still holds it, so two
 * runs never act on one operation and a run taken over stops at its next batch.
 */
public class BulkOperations {

    private static final ObjectMapper JSON = new ObjectMapper();
    // bulk_operations.filters
    private static final int MAX_FILTERS = 2000;
    private static final TypeReference<Map<String, String>> FILTERS = new TypeReference<>() {};

    /** The two bulk actions: the audit trail's name for each, and the statuses each changes. */
    public enum Kind {
        RETRY("jobs.retry", JobAction.RETRY.allowedFrom()),
        CANCEL("jobs.cancel", JobAction.CANCEL.allowedFrom());

        final String action;
        final Set<JobStatus> eligible;

        Kind(String action, Set<JobStatus> eligible) {
            this.action = action;
            this.eligible = eligible;
        }
    }

    /** What a run holds: the operation and its token. */
    public record Claim(String id, String token) {}

    /** One operation as stored. */
    public record Operation(
            String id,
            Kind kind,
            Map<String, String> filters,
            String target,
            String actor,
            String status,
            long matched,
            long eligible,
            long processed,
            long changed,
            JobCursor cursor,
            int resumed,
            OffsetDateTime createdAt,
            OffsetDateTime heartbeatAt,
            OffsetDateTime finishedAt) {

        public boolean done() {
            return !"RUNNING".equals(status);
        }
    }

    private final NamedParameterJdbcTemplate jdbc;

    public BulkOperations(DataSource dataSource) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
    }

    /** A new RUNNING operation, held by the claim returned. */
    Claim create(
            Kind kind,
            Map<String, String> filters,
            String target,
            String actor,
            long matched,
            long eligible) {
        Claim claim = new Claim(UUID.randomUUID().toString(), UUID.randomUUID().toString());
        String stored = json(filters);
        if (stored.length() > MAX_FILTERS) {
            throw ApiProblem.badRequest(
                    "filters", "take more than " + MAX_FILTERS + " characters together");
        }
        jdbc.update(
                SqlStatements.get("insert-bulk-operation"),
                new MapSqlParameterSource()
                        .addValue("id", claim.id())
                        .addValue("kind", kind.name())
                        .addValue("filters", stored)
                        .addValue(
                                "target", target.length() > 255 ? target.substring(0, 255) : target)
                        .addValue("actor", actor)
                        .addValue("matched", matched)
                        .addValue("eligible", eligible)
                        .addValue("token", claim.token()));
        return claim;
    }

    public Optional<Operation> find(String id) {
        return jdbc
                .query(
                        SqlStatements.get("find-bulk-operation"),
                        new MapSqlParameterSource("id", id),
                        (rs, row) -> operation(rs))
                .stream()
                .findFirst();
    }

    /**
     * Takes over every RUNNING operation whose run recorded nothing for {@code staleAfter}; each
     * under a new token, unless another instance took it first.
     */
    List<Claim> takeOverStale(Duration staleAfter) {
        List<Claim> stale =
                jdbc.query(
                        SqlStatements.get("find-stale-bulk-operations"),
                        new MapSqlParameterSource("staleAfterMs", staleAfter.toMillis()),
                        (rs, row) -> new Claim(rs.getString("id"), rs.getString("run_token")));
        List<Claim> taken = new ArrayList<>();
        for (Claim old : stale) {
            Claim claim = new Claim(old.id(), UUID.randomUUID().toString());
            int updated =
                    jdbc.update(
                            SqlStatements.get("take-over-bulk-operation"),
                            new MapSqlParameterSource()
                                    .addValue("id", old.id())
                                    .addValue("staleToken", old.token())
                                    .addValue("token", claim.token()));
            if (updated == 1) {
                taken.add(claim);
            }
        }
        return taken;
    }

    /**
     * First in a batch's transaction: whether the run still holds the operation, whose row then
     * stays locked until the batch ends. False when another run took it over.
     */
    boolean hold(Claim claim) {
        return updateHeld("hold-bulk-operation", claim, new MapSqlParameterSource());
    }

    /**
     * Records a batch, last in its transaction, after {@link #hold}. False when another run holds
     * the operation now (the batch must then roll back).
     */
    boolean recordBatch(Claim claim, int processed, long changed, JobCursor cursor) {
        return updateHeld(
                "record-bulk-batch",
                claim,
                new MapSqlParameterSource()
                        .addValue("processed", processed)
                        .addValue("changed", changed)
                        .addValue(
                                "cursorAt",
                                cursor == null ? null : cursor.createdAt().atOffset(ZoneOffset.UTC))
                        .addValue("cursorId", cursor == null ? null : cursor.id()));
    }

    /** Marks the operation DONE; false when another run holds it now. */
    boolean finish(Claim claim) {
        return updateHeld("finish-bulk-operation", claim, new MapSqlParameterSource());
    }

    /** A statement guarded by the claim's token: whether it changed the operation's row. */
    private boolean updateHeld(String statement, Claim claim, MapSqlParameterSource values) {
        return jdbc.update(
                        SqlStatements.get(statement),
                        values.addValue("id", claim.id()).addValue("token", claim.token()))
                == 1;
    }

    private static Operation operation(ResultSet rs) throws SQLException {
        OffsetDateTime cursorAt = rs.getObject("cursor_created_at", OffsetDateTime.class);
        return new Operation(
                rs.getString("id"),
                Kind.valueOf(rs.getString("kind")),
                filters(rs.getString("filters")),
                rs.getString("target"),
                rs.getString("actor"),
                rs.getString("status"),
                rs.getLong("matched"),
                rs.getLong("eligible"),
                rs.getLong("processed"),
                rs.getLong("changed"),
                cursorAt == null
                        ? null
                        : new JobCursor(cursorAt.toInstant(), rs.getString("cursor_id")),
                rs.getInt("resumed"),
                rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("heartbeat_at", OffsetDateTime.class),
                rs.getObject("finished_at", OffsetDateTime.class));
    }

    private static String json(Map<String, String> filters) {
        try {
            return JSON.writeValueAsString(filters);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> filters(String json) throws SQLException {
        try {
            return JSON.readValue(json, FILTERS);
        } catch (JsonProcessingException e) {
            throw new SQLException("bulk_operations.filters is not a JSON object", e);
        }
    }
}
