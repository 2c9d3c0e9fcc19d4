package shop.usb.pipeline.job;

import static shop.usb.pipeline.job.JobRows.params;
import static shop.usb.pipeline.job.JobRows.utc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The outbox of status events to the shop: {@link #record} writes one event in the caller's
 * transaction, so it commits with the transition it tells of, or not at all. The job's order
 * numbers its events: taking the number locks the order's receipt until the transaction ends, so
 * event n+1 is written only after event n committed, and the relay, reading in the order of
 * writing, sends them in sequence. The relay ({@code routes/status-events.camel.yaml}) sends and
 * marks them.
 */
public class StatusOutbox {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    private final NamedParameterJdbcTemplate jdbc;
    private final String source;
    private final Clock clock;

    /** {@code instanceId}: the instance whose transitions these are, the events' source. */
    public StatusOutbox(DataSource dataSource, String instanceId, Clock clock) {
        this.dataSource = dataSource;
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.source = "/usb-order-pipeline/" + instanceId;
        this.clock = clock;
    }

    /**
     * Writes the event of {@code jobId}'s order. Must run in the transaction of what it tells of
     * (the caller's); a job without a receipt is refused.
     */
    public void record(String jobId, StatusEvent event) {
        takeNumber(jobId);
        insert(jobId, event);
    }

    /**
     * Writes the first event of each order whose receipt this transaction just wrote holding number
     * 1 (insert-order-receipt): the number is taken already, and the new row is locked till commit.
     * One round trip for all.
     */
    void recordFirst(List<FirstEvent> events) {
        requireTransaction();
        jdbc.batchUpdate(
                SqlStatements.get("insert-first-status-event"),
                events.stream()
                        .map(
                                first ->
                                        row(first.jobId(), first.event())
                                                .addValue("orderId", first.orderId()))
                        .toArray(MapSqlParameterSource[]::new));
    }

    /** The first event of an order, and the job it became. */
    record FirstEvent(String orderId, String jobId, StatusEvent event) {}

    /**
     * The next number of the job's order, for an event {@link #insert}ed in the same transaction;
     * from here until the transaction ends no other event of the order is written.
     */
    void takeNumber(String jobId) {
        requireTransaction();
        if (jdbc.update(
                        SqlStatements.get("next-status-event-sequence"),
                        params().addValue("jobId", jobId))
                != 1) {
            throw new IllegalStateException(
                    "Job " + jobId + " has no order receipt to number its events");
        }
    }

    private void requireTransaction() {
        // The DataSource's own transaction: in a JMS transaction the event would commit alone.
        if (!TransactionSynchronizationManager.hasResource(dataSource)) {
            throw new IllegalStateException(
                    "A status event is written in the database transaction of its transition");
        }
    }

    void insert(String jobId, StatusEvent event) {
        jdbc.update(SqlStatements.get("insert-status-event"), row(jobId, event));
    }

    private MapSqlParameterSource row(String jobId, StatusEvent event) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("jobId", jobId);
        data.put("status", event.status().name());
        data.putAll(event.data());
        return params().addValue("id", UUID.randomUUID().toString())
                .addValue("jobId", jobId)
                .addValue("type", event.type().ceType())
                .addValue("source", source)
                .addValue("occurredAt", utc(clock.instant()))
                .addValue("data", json(data));
    }

    /** Events not sent yet, and when the oldest of them happened (null when none waits). */
    public Backlog backlog() {
        return jdbc.queryForObject(
                SqlStatements.get("status-event-backlog"),
                params(),
                (rs, n) -> new Backlog(rs.getLong("backlog"), JobRows.instant(rs, "oldest")));
    }

    public record Backlog(long events, Instant oldest) {}

    private static String json(Map<String, Object> data) {
        try {
            return JSON.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An event's data is plain text and flags", e);
        }
    }
}
