package shop.usb.pipeline.platform;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import javax.sql.DataSource;
import org.apache.camel.spi.Registry;
import shop.usb.pipeline.job.StatusOutbox;
import shop.usb.pipeline.status.RelayLock;
import shop.usb.pipeline.status.StatusRelay;

/** The beans of the status events' relay (routes/status-events.camel.yaml). */
final class StatusEventBeans {

    static final String RELAY_LOCK = "statusRelayLock";

    private StatusEventBeans() {}

    /** Binds the relay's beans; the relay also answers the dashboard's backlog. */
    static StatusRelay bind(
            Registry registry,
            PipelineSettings settings,
            DataSource dataSource,
            MeterRegistry meters,
            Clock clock) {
        StatusRelay relay =
                new StatusRelay(
                        new StatusOutbox(dataSource, settings.instanceId(), clock), meters, clock);
        registry.bind(StatusRelay.BEAN_NAME, relay);
        registry.bind(RELAY_LOCK, new RelayLock(dataSource, "status-event-relay"));
        return relay;
    }
}
