package shop.usb.pipeline.platform;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import javax.sql.DataSource;
import org.apache.camel.spi.Registry;
import shop.usb.pipeline.job.StatusOutbox;
import shop.usb.pipeline.status.RelayLock;
import shop.usb.pipeline.status.StatusRelay;
import shop.usb.pipeline.status.StatusWebhook;

/** The beans of the status events' relay and webhook (routes/status-events.camel.yaml). */
final class StatusEventBeans {

    static final String RELAY_LOCK = "statusRelayLock";

    private StatusEventBeans() {}

    /** The relay (which also answers the dashboard's backlog) and the webhook. */
    record Bound(StatusRelay relay, StatusWebhook webhook) {}

    static Bound bind(
            Registry registry,
            PipelineSettings settings,
            DataSource dataSource,
            MeterRegistry meters,
            Clock clock) {
        WebhookSettings hook = settings.webhook();
        StatusWebhook webhook =
                new StatusWebhook(hook.url(), hook.secret(), hook.backoff(), dataSource, clock);
        StatusRelay relay =
                new StatusRelay(
                        new StatusOutbox(dataSource, settings.instanceId(), clock),
                        webhook.enabled(),
                        meters,
                        clock);
        registry.bind(StatusRelay.BEAN_NAME, relay);
        registry.bind(StatusWebhook.BEAN_NAME, webhook);
        registry.bind(RELAY_LOCK, new RelayLock(dataSource, "status-event-relay"));
        return new Bound(relay, webhook);
    }
}
