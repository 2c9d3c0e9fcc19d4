package shop.usb.pipeline.ops;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.camel.Header;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import shop.usb.pipeline.job.SqlStatements;

/**
 * Who did what through the API: each operator action (cancel, retry, slot release, …) with its
 * actor (the name of the bearer token, or "loopback"), target and result. An action and its record
 * commit in one transaction; a refused action is recorded with the refusal's code. The trail is
 * kept for pipeline.audit.retention, longer than jobs.
 */
public class AuditTrail {

    public static final String BEAN_NAME = "auditTrail";

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final Clock clock;

    public AuditTrail(DataSource dataSource, Clock clock) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        // Over the same data source as the job repository: its transactions join this one.
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.clock = clock;
    }

    /** One recorded action; {@code at} is ISO-8601 in UTC. */
    public record Entry(
            long id, String at, String actor, String action, String target, String result) {}

    /** One page of the trail, newest first, and the cursor of the next page (null on the last). */
    public record Page(List<Entry> actions, String nextCursor) {}

    /**
     * Runs {@code act} and records it with {@code result} of what it returned, both or neither;
     * when it is refused ({@link ApiProblem}), records the refusal's code and rethrows.
     */
    public <T> T record(
            String actor,
            String action,
            String target,
            Supplier<T> act,
            Function<T, String> result) {
        try {
            return transaction.execute(
                    status -> {
                        T done = act.get();
                        insert(actor, action, target, result.apply(done));
                        return done;
                    });
        } catch (ApiProblem refused) {
            insert(actor, action, target, refused.code());
            throw refused;
        }
    }

    /** GET /api/audit?actor=&target=&cursor=&limit= */
    public Page page(
            @Header("actor") String actor,
            @Header("target") String target,
            @Header("cursor") String cursor,
            @Header("limit") String limit) {
        int size = ApiQueries.limit(limit, ApiQueries.DEFAULT_LIMIT, ApiQueries.MAX_LIMIT);
        List<Entry> entries =
                jdbc.query(
                        SqlStatements.get("find-operator-actions"),
                        new MapSqlParameterSource()
                                .addValue("actor", ApiQueries.text("actor", actor, 64))
                                .addValue("target", ApiQueries.text("target", target, 255))
                                .addValue("cursorId", cursor(cursor))
                                .addValue("limit", size + 1),
                        (rs, row) ->
                                new Entry(
                                        rs.getLong("id"),
                                        rs.getObject("acted_at", OffsetDateTime.class)
                                                .toInstant()
                                                .toString(),
                                        rs.getString("actor"),
                                        rs.getString("action"),
                                        rs.getString("target"),
                                        rs.getString("result")));
        if (entries.size() <= size) {
            return new Page(entries, null);
        }
        List<Entry> shown = entries.subList(0, size);
        return new Page(List.copyOf(shown), String.valueOf(shown.get(size - 1).id()));
    }

    private void insert(String actor, String action, String target, String result) {
        jdbc.update(
                SqlStatements.get("insert-operator-action"),
                new MapSqlParameterSource()
                        .addValue("now", clock.instant().atOffset(ZoneOffset.UTC))
                        .addValue("actor", actor)
                        .addValue("action", action)
                        .addValue(
                                "target", target.length() > 255 ? target.substring(0, 255) : target)
                        .addValue("result", result));
    }

    private static Long cursor(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long id = Long.parseLong(value);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badRequest(
                "cursor", "is not a cursor this API gave out (nextCursor of a page)");
    }
}
