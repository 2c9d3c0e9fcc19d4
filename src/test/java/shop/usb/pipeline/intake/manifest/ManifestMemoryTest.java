package shop.usb.pipeline.intake.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Manifests.HEADER;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.support.Manifests;
import shop.usb.pipeline.support.PipelineRuntime;

/**
 * A hostile manifest larger than the heap, its lines bad order ids of half a megabyte or content
 * columns of 450,000 wrong entries, read by a product with a 256 MiB heap (the pom's small-heap
 * run): the report keeps a bounded part of it, and the product goes on serving.
 */
@Tag("small-heap")
class ManifestMemoryTest {

    static final int BAD_LINES = 600;
    static final int ID_BYTES = 500_000;
    static final int MANY_ERROR_LINES = 100;

    /** A content column of 450,000 entries, each of them wrong. */
    static final String BAD_CONTENT = "x|".repeat(450_000);

    @Test
    void aManifestLargerThanTheHeapOfBadIdsIsReportedWithinIt(@TempDir Path root) throws Exception {
        assertThat(Runtime.getRuntime().maxMemory())
                .as("run with -Xmx256m (mvn test's small-heap execution)")
                .isLessThanOrEqualTo(256L * 1024 * 1024);
        try (PipelineRuntime pipeline =
                PipelineRuntime.startOnH2(
                        root,
                        Map.of(
                                "pipeline.manifest.stable-for", "1s",
                                "pipeline.manifest.poll-interval", "200"))) {
            Manifests manifests = new Manifests(root.resolve("data/inbox"));
            Files.createDirectories(manifests.inbox());
            Path part = manifests.inbox().resolve(".hostile.csv.part");
            String badId = "X".repeat(ID_BYTES);
            try (BufferedWriter out = Files.newBufferedWriter(part)) {
                out.write(HEADER);
                for (int i = 0; i < BAD_LINES; i++) {
                    out.write(badId + i + ",2026-11-22T10:00:00Z,normal,16000000000,,file:x\n");
                }
                for (int i = 0; i < MANY_ERROR_LINES; i++) {
                    out.write(
                            "MANY-ERRORS-"
                                    + i
                                    + ",2026-11-22T10:00:00Z,normal,16000000000,,"
                                    + BAD_CONTENT
                                    + "\n");
                }
                out.write(
                        "SMALL-HEAP-1,2026-11-22T10:00:00Z,normal,16000000000,,"
                                + "file:music/jazz/01-so-what.mp3\n");
            }
            assertThat(Files.size(part))
                    .as("the manifest is larger than the heap")
                    .isGreaterThan(Runtime.getRuntime().maxMemory());
            Files.move(part, manifests.inbox().resolve("hostile.csv"));

            JsonNode report = manifests.awaitReport("done", "hostile.csv", Duration.ofMinutes(5));

            assertThat(report.path("rejected").asInt()).isEqualTo(BAD_LINES + MANY_ERROR_LINES);
            assertThat(report.path("rejectedLines").get(BAD_LINES).path("errors").size())
                    .as("twenty errors and one saying there are more")
                    .isEqualTo(21);
            assertThat(report.path("accepted").asInt()).isEqualTo(1);
            assertThat(Files.size(manifests.inbox().resolve("done/hostile.csv.report.json")))
                    .as("the report keeps a bounded part of each line")
                    .isLessThan(BAD_LINES * 1_000L);
            pipeline.awaitJob("SMALL-HEAP-1", JobStatus.COMPLETED);
        }
    }
}
