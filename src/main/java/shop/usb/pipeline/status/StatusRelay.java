package shop.usb.pipeline.status;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import shop.usb.pipeline.job.StatusOutbox;
import shop.usb.pipeline.job.StatusOutbox.Backlog;

/**
 * What the relay route ({@code status-event-relay}) does with one outbox row: it becomes a
 * CloudEvent 1.0 in structured JSON ({@link StatusEventFormat}), with Artemis' duplicate-detection
 * id set to the event's id, so a row sent again (the relay died after the broker took it, before
 * its mark committed) reaches a subscriber once. Also the relay's meters: events relayed, the
 * backlog and the age of its oldest.
 */
public class StatusRelay {

    public static final String BEAN_NAME = "statusRelay";

    /** Artemis' duplicate-detection header: one message per id reaches the address. */
    static final String DUPLICATE_ID = "_AMQ_DUPL_ID";

    /** The relay's mark (onConsume) makes the event due for the webhook when this is true. */
    static final String WEBHOOK_DUE = "webhookDue";

    private static final Duration FRESH_FOR = Duration.ofSeconds(1);

    private final StatusOutbox outbox;
    private final boolean webhook;
    private final Clock clock;
    private final Counter relayed;
    private Backlog backlog;
    private Instant readAt = Instant.MIN;

    /** {@code webhook}: whether the webhook posts each event once the broker took it. */
    public StatusRelay(StatusOutbox outbox, boolean webhook, MeterRegistry registry, Clock clock) {
        this.outbox = outbox;
        this.webhook = webhook;
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

    /**
     * The outbox row in the body becomes its CloudEvent, as JSON text; {@code webhookDue} tells the
     * relay's mark whether the webhook posts it next.
     */
    public void envelope(Exchange exchange) {
        Message message = exchange.getMessage();
        Map<?, ?> row = message.getBody(Map.class);
        message.setBody(StatusEventFormat.json(row));
        message.setHeader(DUPLICATE_ID, StatusEventFormat.id(row));
        // A variable, not a header: the relay's mark reads it, and no JMS property carries it out.
        exchange.setVariable(WEBHOOK_DUE, webhook);
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
}
