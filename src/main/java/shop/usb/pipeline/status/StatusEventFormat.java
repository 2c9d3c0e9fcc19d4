package shop.usb.pipeline.status;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.jackson.JsonFormat;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * One outbox row as its CloudEvent 1.0, in structured JSON: what the broker and the webhook both
 * carry (config/status-event.schema.json).
 */
final class StatusEventFormat {

    /** Digits of the sequence extension: a string that sorts as the numbers do. */
    private static final String SEQUENCE = "%010d";

    private static final EventFormat JSON = new JsonFormat();

    private StatusEventFormat() {}

    /** The event's id. */
    static String id(Map<?, ?> row) {
        return text(row, "id");
    }

    static String json(Map<?, ?> row) {
        CloudEvent event =
                CloudEventBuilder.v1()
                        .withId(id(row))
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
        return new String(JSON.serialize(event), StandardCharsets.UTF_8);
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
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant().atOffset(ZoneOffset.UTC);
        }
        if (value instanceof Instant instant) {
            return instant.atOffset(ZoneOffset.UTC);
        }
        throw new IllegalStateException("An outbox time of type " + value.getClass().getName());
    }
}
