package shop.usb.pipeline.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.content.WritePlan.PlannedFile;
import shop.usb.pipeline.device.SlotProbe;
import shop.usb.pipeline.lease.Lease;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.Stations;
import shop.usb.pipeline.transfer.UsbWriter;
import shop.usb.pipeline.transfer.WriteListener;

/**
 * A library file is hashed once per content version: while it is first copied, never again until it
 * changes.
 */
class ContentDigestsTest {

    static final WriteListener QUIET =
            new WriteListener() {
                @Override
                public void bytesCopied(long bytes) {}

                @Override
                public void fileWritten() {}
            };

    @TempDir Path root;

    @Test
    void sourceIsHashedWhileCopiedAndTheDigestServesTheNextOrderUntilTheFileChanges()
            throws Exception {
        Path source = root.resolve("library/album/track.mp3");
        PipelineRuntime.writeRandom(source, 3 * 1024 * 1024 + 17);
        Path slot = Files.createDirectories(root.resolve("slot"));
        ContentDigests digests = new ContentDigests(10);
        UsbWriter writer = new UsbWriter(digests);
        assertThat(digests.known(source)).isNull();

        WritePlan written =
                writer.write(
                        plan(source, null),
                        new SlotProbe(false).probe(slot).require(),
                        Stations.lease(slot, "ORD-1", "run-1"),
                        QUIET);

        String expected = Sha256.of(source);
        assertThat(written.files().get(0).sha256()).isEqualTo(expected);
        assertThat(
                        Files.readString(
                                Lease.stagingFolder(slot, "ORD-1", "run-1")
                                        .resolve(WritePlan.MANIFEST_NAME)))
                .isEqualTo(expected + "  album/track.mp3\n");
        assertThat(
                        Sha256.of(
                                Lease.stagingFolder(slot, "ORD-1", "run-1")
                                        .resolve("album/track.mp3")))
                .isEqualTo(expected);
        assertThat(digests.known(source)).as("the next order's plan brings it").isEqualTo(expected);

        Files.setLastModifiedTime(source, FileTime.from(Instant.now().plusSeconds(60)));
        assertThat(digests.known(source)).as("a new content version is hashed again").isNull();
    }

    private static WritePlan plan(Path source, String sha256) throws Exception {
        return new WritePlan(
                List.of(new PlannedFile("album/track.mp3", source, Files.size(source), sha256)));
    }
}
