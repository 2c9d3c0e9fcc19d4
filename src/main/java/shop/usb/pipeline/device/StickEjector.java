package shop.usb.pipeline.device;

import java.util.List;

/**
 * After verification, flushes and unmounts the stick ({@code pipeline.usb.eject}) so the operator
 * can pull it at once: a port's stick through its port (it stays unmounted while plugged in), any
 * other mount with umount. The slot stays DONE while the stick is in it.
 */
public class StickEjector {

    public static final String BEAN_NAME = "stickEjector";

    private final boolean enabled;
    private final Ports ports;

    public StickEjector(boolean enabled, Ports ports) {
        this.enabled = enabled;
        this.ports = ports;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Null when the stick was unmounted, otherwise why not. */
    public String eject(SlotFilesystem filesystem) {
        if (!filesystem.isMount()) {
            return "the slot is a folder, not a mount";
        }
        if (ports.isPort(filesystem.slot())) {
            return ports.eject(filesystem.slot());
        }
        return SystemCommand.run(List.of("umount", filesystem.realPath().toString()));
    }
}
