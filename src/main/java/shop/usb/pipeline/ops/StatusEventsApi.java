package shop.usb.pipeline.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import shop.usb.pipeline.status.StatusWebhook;

/** The webhook's parked status events over HTTP, and the operator's re-send. */
public class StatusEventsApi {

    public static final String BEAN_NAME = "statusEventsApi";

    /** Parked events listed at most. */
    private static final int LISTED = 100;

    private final StatusWebhook webhook;
    private final AuditTrail audit;

    public StatusEventsApi(StatusWebhook webhook, AuditTrail audit) {
        this.webhook = webhook;
        this.audit = audit;
    }

    /**
     * GET /api/status-events/parked: {webhook (whether one is set), count, events (the 100 most
     * recently parked)}.
     */
    public Map<String, Object> parked() {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("webhook", webhook.enabled());
        answer.put("count", webhook.parkedCount());
        answer.put("events", webhook.parked(LISTED));
        return answer;
    }

    /**
     * POST /api/status-events/{id}/resend: the parked event is posted again now, with a fresh
     * backoff; 404 when no parked event has that id.
     */
    public Map<String, Object> resend(@Header("id") String id, Exchange exchange) {
        return audit.record(
                HttpGate.actorOf(exchange),
                "status-event.resend",
                id,
                () -> {
                    if (!webhook.resend(id)) {
                        throw ApiProblem.notFound("Parked status event " + id);
                    }
                    return Map.<String, Object>of("id", id, "webhook", "DUE");
                },
                resent -> "DUE");
    }
}
