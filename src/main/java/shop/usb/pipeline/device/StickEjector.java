package shop.usb.pipeline.device;

import java.util.List;

/**
 * After verification, flushes and unmounts the stick ({@code pipeline.usb.eject}) so the operator
 * can pull it at once. The slot stays DONE while the stick's block device is there.
 */
public class StickEjector {

    public static final String BEAN_NAME = "stickEjector";

    private final boolean enabled;

    public StickEjector(boolean enabled) {
        this.enabled = enabled;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Null when the stick was unmounted, otherwise why not. */
    public String eject(SlotFilesystem filesystem) {
        if (!filesystem.isMount()) {
            return "the slot is a folder, not a mount";
        }
        return SystemCommand.run(List.of("umount", filesystem.realPath().toString()));
    }
}
