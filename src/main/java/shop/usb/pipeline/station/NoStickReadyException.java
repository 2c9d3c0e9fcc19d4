package shop.usb.pipeline.station;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * No READY stick of the order's size class is in the station now: the job waits for one, holding
 * nothing.
 */
public class NoStickReadyException extends RuntimeException {

    private final String waitingFor;
    private final long capacityBytes;
    private final Set<String> refusedFilesystems;
    private final String because;

    /**
     * {@code refusedFilesystems}: each filesystem the order cannot go onto, with the file and the
     * rule it breaks there.
     */
    public NoStickReadyException(long capacityBytes, Map<String, String> refusedFilesystems) {
        super(
                "No READY stick fits the order; waiting for "
                        + describe(capacityBytes, refusedFilesystems.keySet()));
        this.waitingFor = describe(capacityBytes, refusedFilesystems.keySet());
        this.capacityBytes = capacityBytes;
        this.refusedFilesystems = Set.copyOf(refusedFilesystems.keySet());
        this.because = String.join("; ", new TreeMap<>(refusedFilesystems).values());
    }

    /** "a 16 GB stick", and "that is not vfat" when the order breaks that filesystem's rules. */
    static String describe(long capacityBytes, Set<String> refusedFilesystems) {
        return describe(capacityBytes)
                + (refusedFilesystems.isEmpty()
                        ? ""
                        : " that is not " + String.join(" or ", new TreeSet<>(refusedFilesystems)));
    }

    /** "a 16 GB stick": the size class the customer bought, as the operator would say it. */
    static String describe(long capacityBytes) {
        return "a " + sizeClass(capacityBytes) + " stick";
    }

    /** "16 GB", "100 MB". */
    public static String sizeClass(long capacityBytes) {
        double gigabytes = capacityBytes / 1e9;
        return gigabytes >= 1
                ? String.format(Locale.ROOT, "%s GB", trim(gigabytes))
                : String.format(Locale.ROOT, "%s MB", trim(capacityBytes / 1e6));
    }

    private static String trim(double value) {
        return value == Math.rint(value)
                ? String.valueOf((long) value)
                : String.format(Locale.ROOT, "%.1f", value);
    }

    public String waitingFor() {
        return waitingFor;
    }

    /** Which file breaks which filesystem's rule ("a:b.mp3 holds ':' … on FAT"); empty if none. */
    public String because() {
        return because;
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    /** As the job row keeps them: "exfat,vfat", or null. */
    public String refusedFilesystems() {
        return StickRules.join(new TreeSet<>(refusedFilesystems));
    }
}
