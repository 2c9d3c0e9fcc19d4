package shop.usb.pipeline.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.awaitility.Awaitility;

/** Drops manifests into a product's inbox and reads the reports it writes. */
public final class Manifests {

    /** The first line of a CSV manifest: its columns. */
    public static final String HEADER =
            "orderId,confirmedAt,priority,capacityBytes,label,content\n";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Path inbox;

    public Manifests(Path inbox) {
        this.inbox = inbox;
    }

    public Path inbox() {
        return inbox;
    }

    /** Writes the file under a hidden name first, so the product sees it whole at once. */
    public Path drop(String name, byte[] content) throws IOException {
        Files.createDirectories(inbox);
        Path part = inbox.resolve("." + name + ".part");
        Files.write(part, content);
        return Files.move(part, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    public Path drop(String name, String content) throws IOException {
        return drop(name, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Waits for the report of a manifest stored under {@code folder/name} (done or error). */
    public JsonNode awaitReport(String folder, String name) throws IOException {
        return awaitReport(folder, name, Duration.ofSeconds(30));
    }

    public JsonNode awaitReport(String folder, String name, Duration atMost) throws IOException {
        Path report = inbox.resolve(folder).resolve(name + ".report.json");
        Awaitility.await("report " + report)
                .atMost(atMost)
                .pollInterval(Duration.ofMillis(50))
                .until(
                        () ->
                                Files.exists(report)
                                        && Files.exists(inbox.resolve(folder).resolve(name)));
        return MAPPER.readTree(report.toFile());
    }
}
