package shop.usb.pipeline.intake.manifest;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import shop.usb.pipeline.intake.FieldError;

/**
 * What became of each order of one manifest: counts of accepted, rejected and duplicate orders, and
 * every rejected or duplicate line with its reason. Written next to the manifest in done/ or
 * error/.
 */
public final class ManifestReport {

    public static final String SUFFIX = ".report.json";

    private final String manifest;
    private final ManifestFormat format;
    private final String storedName;
    private final Instant receivedAt;
    private final Map<String, Integer> firstLineOf = new HashMap<>();
    private final List<Map<String, Object>> rejected = new ArrayList<>();
    private final List<Map<String, Object>> duplicates = new ArrayList<>();
    private String folder = ManifestFolders.DONE;
    private int accepted;
    private int unreadableAtLine;
    private String unreadableReason;

    ManifestReport(String manifest, ManifestFormat format, String storedName, Instant receivedAt) {
        this.manifest = manifest;
        this.format = format;
        this.storedName = storedName;
        this.receivedAt = receivedAt;
    }

    /**
     * Where the manifest goes, relative to the inbox: done/NAME, or error/NAME once it is
     * unreadable.
     */
    public String destination() {
        return folder + "/" + storedName;
    }

    public int accepted() {
        return accepted;
    }

    public int rejected() {
        return rejected.size();
    }

    public int duplicates() {
        return duplicates.size();
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
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("line", entry.line());
        line.put("orderId", entry.orderId());
        line.put("code", code);
        line.put("errors", errors);
        rejected.add(line);
    }

    void duplicate(ManifestEntry entry, String reason) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("line", entry.line());
        line.put("orderId", entry.orderId());
        line.put("reason", reason);
        duplicates.add(line);
    }

    void unreadable(int line, String reason) {
        folder = ManifestFolders.ERROR;
        unreadableAtLine = line;
        unreadableReason = reason;
    }

    /**
     * Writes the report beside where the manifest is about to be moved, under a temporary name
     * first.
     */
    void write(Path inbox, ObjectMapper mapper, Instant finishedAt) throws IOException {
        Path target = inbox.resolve(destination() + SUFFIX);
        Files.createDirectories(target.getParent());
        Path part = target.resolveSibling("." + target.getFileName() + ".part");
        mapper.writerWithDefaultPrettyPrinter().writeValue(part.toFile(), toMap(finishedAt));
        Files.move(
                part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Map<String, Object> toMap(Instant finishedAt) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("manifest", manifest);
        report.put("storedAs", destination());
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
        report.put("rejected", rejected.size());
        report.put("duplicates", duplicates.size());
        report.put("rejectedLines", rejected);
        report.put("duplicateLines", duplicates);
        return report;
    }
}
