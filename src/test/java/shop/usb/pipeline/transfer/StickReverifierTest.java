package shop.usb.pipeline.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.content.WritePlan;
import shop.usb.pipeline.content.WritePlan.PlannedFile;
import shop.usb.pipeline.failure.JobFailure;

/**
 * A manifest read from a returned stick: the inverse of the one the product writes, and hostile.
 */
class StickReverifierTest {

    static final String DIGEST = "a".repeat(64);

    @Test
    void aManifestReadsBackAsThePlanItWasWrittenFrom(@TempDir Path folder) throws Exception {
        Files.createDirectories(folder.resolve("music"));
        Files.write(folder.resolve("music/so what.mp3"), new byte[12]);
        WritePlan written =
                new WritePlan(
                        List.of(
                                new PlannedFile("music/so what.mp3", null, 12, DIGEST),
                                new PlannedFile(
                                        "odd\\name\nwith newline", null, 0, "b".repeat(64))));

        WritePlan read = StickReverifier.planOf(written.manifest(), folder);

        assertThat(read.manifest()).isEqualTo(written.manifest());
        assertThat(read.files())
                .extracting(PlannedFile::relativePath, PlannedFile::size)
                .containsExactly(
                        Tuple.tuple("music/so what.mp3", 12L),
                        Tuple.tuple("odd\\name\nwith newline", -1L));
    }

    @Test
    void namesOutsideTheOrderFolderAndMalformedLinesAreRefused(@TempDir Path folder) {
        assertThatThrownBy(() -> StickReverifier.planOf(DIGEST + "  ../../etc/passwd\n", folder))
                .isInstanceOf(JobFailure.class)
                .hasMessageContaining("outside the order folder");
        assertThatThrownBy(() -> StickReverifier.planOf(DIGEST + "  /etc/passwd\n", folder))
                .hasMessageContaining("outside the order folder");
        assertThatThrownBy(() -> StickReverifier.planOf("not a digest  file\n", folder))
                .hasMessageContaining("is not \"<sha256>  <name>\"");
    }

    @Test
    void linksOnTheStickAreNotFollowed(@TempDir Path root) throws Exception {
        Path folder = Files.createDirectories(root.resolve("ORD-1"));
        Files.writeString(root.resolve("host-secret.txt"), "not on the stick");
        Files.createSymbolicLink(folder.resolve("leads-off"), root);
        Files.createSymbolicLink(folder.resolve("song.mp3"), root.resolve("host-secret.txt"));

        assertThatThrownBy(
                        () ->
                                StickReverifier.planOf(
                                        DIGEST + "  leads-off/host-secret.txt\n", folder))
                .hasMessageContaining("is not a plain file in the order folder");
        assertThatThrownBy(() -> StickReverifier.planOf(DIGEST + "  song.mp3\n", folder))
                .hasMessageContaining("is not a plain file in the order folder");
    }
}
