package shop.usb.pipeline.usb;

/**
 * A stick as the system tells it without privileges: its filesystem UUID (or, where udev names none,
 * its device number), the USB serial where the system exposes one, its total size, filesystem type
 * and label. A folder that stands in for a stick (the demo) has no size and fits any order.
 */
public record Stick(String id, String serial, long sizeBytes, String fsType, String label) {

    /** The nominal size may be this much larger than the order's: a "16 GB" stick for a 16 GB order. */
    static final double LARGER_BY = 0.05;

    static Stick folder(String slotName, String fsType) {
        return new Stick("folder " + slotName, null, -1, fsType, null);
    }

    public boolean isFolder() {
        return sizeBytes < 0;
    }

    /**
     * Whether the stick is of the size class the customer bought: real sticks hold less than their
     * label says, so down to {@code 1 - tolerance} of it, and up to 5 % more (any larger one with
     * {@code allowLarger}).
     */
    public boolean fits(long capacityBytes, double tolerance, boolean allowLarger) {
        return isFolder() || sizeBytes >= (1 - tolerance) * capacityBytes
                && (allowLarger || sizeBytes <= (1 + LARGER_BY) * capacityBytes);
    }
}
