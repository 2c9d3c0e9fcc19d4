package shop.usb.pipeline.device;

/**
 * Which sticks are of the size class a customer bought: real sticks hold less than their label
 * says, so down to {@code 1 - tolerance} of it ({@code pipeline.usb.size-tolerance}), and up to 5 %
 * more (any larger with {@code pipeline.usb.allow-larger}). A folder standing in for a stick has no
 * size and fits any order.
 */
public record StickSizes(double tolerance, boolean allowLarger) {

    /** The nominal size may be this much larger than the order's: a "16 GB" stick for 16 GB. */
    static final double LARGER_BY = 0.05;

    public boolean fits(Stick stick, long capacityBytes) {
        return stick.isFolder() || fits(stick.sizeBytes(), capacityBytes);
    }

    /** Whether a stick of this many bytes is of the size class. */
    public boolean fits(long sizeBytes, long capacityBytes) {
        return sizeBytes >= (1 - tolerance) * capacityBytes
                && (allowLarger || sizeBytes <= (1 + LARGER_BY) * capacityBytes);
    }

    /** "90% to 105%", as a message says which sizes fit. */
    public String describe() {
        return Math.round((1 - tolerance) * 100)
                + "% to "
                + (allowLarger ? "any size" : Math.round((1 + LARGER_BY) * 100) + "%");
    }
}
