package shop.usb.pipeline.intake.manifest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import shop.usb.pipeline.intake.FieldError;

/**
 * What became of each order of one manifest: counts of accepted, rejected and duplicate orders, and
 * the first {@value #LISTED_LINES} rejected and duplicate lines with their reasons, each text cut
 * at {@value #KEPT_CHARACTERS} characters (a hostile manifest of a few GB must not fill the heap).
 * Written next to the manifest in done/ or error/.
 */
public final class ManifestReport {

    public static final String SUFFIX = ".report.json";

    /** Rejected lines, and duplicate lines, listed in full; the rest are counted. */
    static final int LISTED_LINES = 1000;

    /** What a report keeps of an order id or a reason taken from the file. */
    static final int KEPT_CHARACTERS = 200;

    private final String manifest;
    private final ManifestFormat format;
    private final Instant receivedAt;
    private final Map<String, Integer> firstLineOf = new HashMap<>();
    private final List<Map<String, Object>> rejected = new ArrayList<>();
    private final List<Map<String, Object>> duplicates = new ArrayList<>();
    private String folder = ManifestFolders.DONE;
    private int accepted;
    private int rejectedCount;
    private int duplicateCount;
    private int unreadableAtLine;
    private String unreadableReason;

    ManifestReport(String manifest, ManifestFormat format, Instant receivedAt) {
        this.manifest = manifest;
        this.format = format;
        this.receivedAt = receivedAt;
    }

    /** Where the manifest goes: done, or error once it is unreadable. */
    String folder() {
        return folder;
    }

    public int accepted() {
        return accepted;
    }

    public int rejected() {
        return rejectedCount;
    }

    public int duplicates() {
        return duplicateCount;
    }

    /** Why the file could not be read to its end, or null. */
    String unreadableReason() {
        return unreadableReason == null
                ? null
                : (unreadableAtLine > 0 ? "line " + unreadableAtLine + ": " : "")
                        + unreadableReason;
    }

    ManifestFormat format() {
        return format;
    }

    /** The line an orderId was first accepted on in this manifest, or null. */
    Integer firstLineOf(String orderId) {
        return firstLineOf.get(orderId);
    }

    void accept(ManifestEntry entry, String orderId) {
        accepted++;
        firstLineOf.put(orderId, entry.line());
    }

    void reject(ManifestEntry entry, String code, List<FieldError> errors) {
        rejectedCount++;
        if (rejected.size() < LISTED_LINES) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("line", entry.line());
            line.put("orderId", kept(entry.orderId()));
            line.put("code", code);
            line.put(
                    "errors",
                    errors.stream()
                            .limit(FieldError.MAX_PER_ORDER + 1)
                            .map(error -> new FieldError(error.field(), kept(error.reason())))
                            .toList());
            rejected.add(line);
        }
    }

    void duplicate(ManifestEntry entry, String reason) {
        duplicateCount++;
        if (duplicates.size() < LISTED_LINES) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("line", entry.line());
            line.put("orderId", kept(entry.orderId()));
            line.put("reason", reason);
            duplicates.add(line);
        }
    }

    void unreadable(int line, String reason) {
        folder = ManifestFolders.ERROR;
        unreadableAtLine = line;
        unreadableReason = kept(reason);
    }

    /** A text from the file, cut to what a report keeps. */
    private static String kept(String text) {
        return text == null || text.length() <= KEPT_CHARACTERS
                ? text
                : text.substring(
                                0,
                                Character.isHighSurrogate(text.charAt(KEPT_CHARACTERS - 1))
                                        ? KEPT_CHARACTERS - 1
                                        : KEPT_CHARACTERS)
                        + "... ("
                        + text.length()
                        + " characters)";
    }

    /** The report of the manifest stored as {@code storedName} in its folder. */
    Map<String, Object> toMap(Instant finishedAt, String storedName) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("manifest", manifest);
        report.put("storedAs", folder + "/" + storedName);
        report.put("format", format == null ? null : format.label());
        report.put("receivedAt", receivedAt.toString());
        report.put("finishedAt", finishedAt.toString());
        report.put("outcome", unreadableReason == null ? "read" : "unreadable");
        if (unreadableReason != null) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("line", unreadableAtLine > 0 ? unreadableAtLine : null);
            error.put("reason", unreadableReason);
            report.put("error", error);
        }
        report.put("accepted", accepted);
        report.put("rejected", rejectedCount);
        report.put("duplicates", duplicateCount);
        report.put("rejectedLines", rejected);
        report.put("duplicateLines", duplicates);
        report.put(
                "linesNotListed",
                rejectedCount - rejected.size() + duplicateCount - duplicates.size());
        return report;
    }
}
