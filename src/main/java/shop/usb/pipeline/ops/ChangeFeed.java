package shop.usb.pipeline.ops;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import shop.usb.pipeline.job.SqlStatements;

/**
 * Job and slot changes since the last look, read from the database, so that every instance's
 * dashboards hear of every instance's changes. Each look reaches back {@link #OVERLAP} before the
 * newest change it saw: a transaction that stamped its row earlier and committed later is still
 * found, and a change already sent is not sent again. A look takes the newest {@value #LIMIT}
 * changes of each kind; when there were more, a "more" change says so (a listener then reloads what
 * it shows).
 */
public class ChangeFeed {

    public static final String BEAN_NAME = "changeFeed";
    static final Duration OVERLAP = Duration.ofSeconds(5);
    private static final int LIMIT = 500;

    /** One change: a job's or a slot's new state. */
    public record Change(String type, String id, Map<String, Object> data) {}

    private final NamedParameterJdbcTemplate jdbc;
    private Instant newestSeen;
    private final Map<String, Instant> sent = new HashMap<>();

    public ChangeFeed(DataSource dataSource) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
    }

    /** The changes not yet sent; the first look only sets where the feed starts. */
    public synchronized List<Change> poll() {
        if (newestSeen == null) {
            newestSeen =
                    jdbc.getJdbcTemplate()
                            .queryForObject(
                                    SqlStatements.get("database-time"),
                                    (rs, row) ->
                                            rs.getObject("now", OffsetDateTime.class).toInstant());
            return List.of();
        }
        MapSqlParameterSource since =
                new MapSqlParameterSource()
                        .addValue("since", newestSeen.minus(OVERLAP).atOffset(ZoneOffset.UTC))
                        .addValue("limit", LIMIT);
        List<Change> changes = new ArrayList<>();
        int[] read = new int[2];
        jdbc.query(
                SqlStatements.get("find-changed-jobs"),
                since,
                rs -> {
                    read[0]++;
                    Map<String, Object> job = new HashMap<>();
                    job.put("id", rs.getString("id"));
                    job.put("orderId", rs.getString("order_id"));
                    job.put("status", rs.getString("status"));
                    job.put("stage", rs.getString("stage"));
                    job.put("progress", rs.getInt("progress"));
                    keepIfNew(
                            changes,
                            "job",
                            rs.getString("id"),
                            rs.getObject("updated_at", OffsetDateTime.class),
                            job);
                });
        jdbc.query(
                SqlStatements.get("find-changed-slots"),
                since,
                rs -> {
                    read[1]++;
                    Map<String, Object> slot = new HashMap<>();
                    slot.put("station", rs.getString("station"));
                    slot.put("slot", rs.getString("slot"));
                    slot.put("state", rs.getString("state"));
                    slot.put("orderId", rs.getString("order_id"));
                    keepIfNew(
                            changes,
                            "slot",
                            rs.getString("station") + "/" + rs.getString("slot"),
                            rs.getObject("updated_at", OffsetDateTime.class),
                            slot);
                });
        Instant forgetBefore = newestSeen.minus(OVERLAP);
        sent.values().removeIf(at -> at.isBefore(forgetBefore));
        // Oldest first, as they happened; read newest first so that a flood cannot hold the feed
        // back.
        Collections.reverse(changes);
        if (read[0] == LIMIT || read[1] == LIMIT) {
            changes.add(new Change("more", "", Map.of("newest", newestSeen.toString())));
        }
        return changes;
    }

    private void keepIfNew(
            List<Change> changes,
            String type,
            String id,
            OffsetDateTime updatedAt,
            Map<String, Object> data) {
        Instant at = updatedAt.toInstant();
        if (at.equals(sent.put(type + ":" + id, at))) {
            return;
        }
        data.put("updatedAt", at.toString());
        changes.add(new Change(type, id, data));
        if (at.isAfter(newestSeen)) {
            newestSeen = at;
        }
    }
}
