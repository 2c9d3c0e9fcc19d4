package shop.usb.pipeline.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stick as the system tells it without privileges: its filesystem UUID (or, where udev names
 * none, its device number), the USB serial where the system exposes one, its total size, filesystem
 * type and label, and its block device as "major:minor". A folder that stands in for a stick (the
 * demo) has no size and fits any order.
 */
public record Stick(
        String id, String serial, long sizeBytes, String fsType, String label, String device) {

    public static Stick folder(String slotName, String fsType) {
        return new Stick("folder " + slotName, null, -1, fsType, null, null);
    }

    /** The same stick, to carry another filesystem (it is formatted before its order). */
    public Stick carrying(String formattedAs) {
        return new Stick(id, serial, sizeBytes, formattedAs, label, device);
    }

    public boolean isFolder() {
        return sizeBytes < 0;
    }

    /**
     * A stick that was unmounted (ejected) is still in its slot while its block device is there
     * with a size: a pulled USB stick's device goes away, a detached loop device stays with size 0.
     */
    public boolean stillAttached() {
        if (device == null) {
            return false;
        }
        try {
            return Long.parseLong(
                            Files.readString(Path.of("/sys/dev/block", device, "size")).trim())
                    > 0;
        } catch (IOException | NumberFormatException gone) {
            return false;
        }
    }
}
