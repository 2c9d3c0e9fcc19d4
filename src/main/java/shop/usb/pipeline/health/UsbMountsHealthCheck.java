package shop.usb.pipeline.health;

import java.util.List;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import shop.usb.pipeline.station.SlotAllocator.MountState;

/** Free space on each USB mount; DOWN only when no mount can take a job. */
public final class UsbMountsHealthCheck extends AbstractHealthCheck {

    private final PipelineHealth health;

    public UsbMountsHealthCheck(PipelineHealth health) {
        super("pipeline", "usb-mounts");
        this.health = health;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<MountState> states = health.mountStates();
        for (MountState state : states) {
            builder.detail(state.mount() + ".freeBytes", state.usableBytes());
            if (state.problem() != null) {
                builder.detail(state.mount() + ".problem", state.problem());
            }
        }
        if (states.stream().allMatch(state -> state.problem() != null)) {
            builder.down().message("No USB mount can take a job");
        } else {
            builder.up();
        }
    }
}
