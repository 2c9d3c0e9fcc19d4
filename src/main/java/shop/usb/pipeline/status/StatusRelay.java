package shop.usb.pipeline.status;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.jackson.JsonFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import shop.usb.pipeline.job.StatusOutbox;
import shop.usb.pipeline.job.StatusOutbox.Backlog;

/**
 * What the relay route ({@code status-event-relay}) does with one outbox row: it becomes a
 * CloudEvent 1.0 in structured JSON, with Artemis' duplicate-detection id set to the event's id, so
 * a row sent again (the relay died before marking it, two instances read it) reaches a subscriber
 * once. Also the relay's meters: events relayed, the backlog and the age of its oldest.
 */
public class StatusRelay {

    public static final String BEAN_NAME = "statusRelay";

    /** Artemis' duplicate-detection header: one message per id reaches the address. */
    static final String DUPLICATE_ID = "_AMQ_DUPL_ID";

    /** Digits of the sequence extension: a string that sorts as the numbers do. */
    private static final String SEQUENCE = "%010d";

    private static final Duration FRESH_FOR = Duration.ofSeconds(1);

    private final EventFormat format = new JsonFormat();
    private final StatusOutbox outbox;
    private final Clock clock;
    private final Counter relayed;
    private Backlog backlog;
    private Instant readAt = Instant.MIN;

    public StatusRelay(StatusOutbox outbox, MeterRegistry registry, Clock clock) {
        this.outbox = outbox;
        this.clock = clock;
        this.relayed =
                Counter.builder("pipeline.status.events.relayed")
                        .description("Status events sent to the broker")
                        .register(registry);
        Gauge.builder("pipeline.status.events.backlog", this, relay -> relay.backlog().events())
                .description("Status events written and not sent yet")
                .register(registry);
        Gauge.builder("pipeline.status.events.oldest.age", this, StatusRelay::oldestAgeSeconds)
                .description("Seconds the oldest status event not sent yet has waited")
                .baseUnit("seconds")
                .register(registry);
    }

    /** The outbox row in the body becomes its CloudEvent, as JSON text. */
    public void envelope(Exchange exchange) {
        Message message = exchange.getMessage();
        Map<?, ?> row = message.getBody(Map.class);
        String id = text(row, "id");
        CloudEvent event =
                CloudEventBuilder.v1()
                        .withId(id)
                        .withSource(URI.create(text(row, "source")))
                        .withType(text(row, "event_type"))
                        .withSubject(text(row, "order_id"))
                        .withTime(time(row.get("occurred_at")))
                        .withExtension(
                                "sequence",
                                String.format(SEQUENCE, ((Number) row.get("sequence")).longValue()))
                        .withDataContentType("application/json")
                        .withData(text(row, "data").getBytes(StandardCharsets.UTF_8))
                        .build();
        message.setBody(new String(format.serialize(event), StandardCharsets.UTF_8));
        message.setHeader(DUPLICATE_ID, id);
    }

    /** The broker took the event. */
    public void relayed() {
        relayed.increment();
    }

    /** The backlog as the dashboard and the gauges show it, read at most once a second. */
    public synchronized Backlog backlog() {
        Instant now = clock.instant();
        if (backlog == null || now.isAfter(readAt.plus(FRESH_FOR))) {
            backlog = outbox.backlog();
            readAt = now;
        }
        return backlog;
    }

    /** GET /api/queue's statusEvents: {backlog, oldestAgeSeconds (null when none waits)}. */
    public Map<String, Object> figures() {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("backlog", backlog().events());
        figures.put(
                "oldestAgeSeconds",
                backlog().oldest() == null ? null : Math.round(oldestAgeSeconds()));
        return figures;
    }

    private double oldestAgeSeconds() {
        Instant oldest = backlog().oldest();
        return oldest == null ? 0 : Duration.between(oldest, clock.instant()).toMillis() / 1000.0;
    }

    private static String text(Map<?, ?> row, String column) {
        Object value = row.get(column);
        if (value == null) {
            throw new IllegalStateException("An outbox row without " + column);
        }
        return value.toString();
    }

    /** H2 and PostgreSQL give a timestamp with time zone as different types. */
    private static OffsetDateTime time(Object value) {
        if (value instanceof OffsetDateTime time) {
            return time;
        }
        if (value instanceof java.sql.Timestamp timestamp) {
            return timestamp.toInstant().atOffset(ZoneOffset.UTC);
        }
        if (value instanceof Instant instant) {
            return instant.atOffset(ZoneOffset.UTC);
        }
        throw new IllegalStateException("An outbox time of type " + value.getClass().getName());
    }
}
