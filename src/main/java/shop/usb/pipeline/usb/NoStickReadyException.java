package shop.usb.pipeline.usb;

import java.util.Locale;

/** No READY stick of the order's size class is in the station now: the job waits for one, holding nothing. */
public class NoStickReadyException extends RuntimeException {

    private final String waitingFor;
    private final long capacityBytes;

    public NoStickReadyException(long capacityBytes) {
        super("No READY stick fits the order; waiting for " + describe(capacityBytes));
        this.waitingFor = describe(capacityBytes);
        this.capacityBytes = capacityBytes;
    }

    /** "a 16 GB stick": the size class the customer bought, as the operator would say it. */
    static String describe(long capacityBytes) {
        double gigabytes = capacityBytes / 1e9;
        return gigabytes >= 1
                ? String.format(Locale.ROOT, "a %s GB stick", trim(gigabytes))
                : String.format(Locale.ROOT, "a %s MB stick", trim(capacityBytes / 1e6));
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.1f", value);
    }

    public String waitingFor() {
        return waitingFor;
    }

    public long capacityBytes() {
        return capacityBytes;
    }
}
