package shop.usb.pipeline.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.content.Sha256;
import shop.usb.pipeline.content.WritePlan;
import shop.usb.pipeline.content.WritePlan.PlannedFile;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.device.SlotProbe;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.support.LoopStick;

/** Verification reads the stick itself, past the page cache, where the filesystem allows it. */
class UsbVerifierTest {

    private static final int FILE_SIZE = 4 * 1024 * 1024;

    @TempDir Path root;

    @Test
    void intactOrderIsVerifiedReadingTheDevice() throws Exception {
        try (LoopStick stick =
                LoopStick.mount(root.resolve("stick.img"), root.resolve("slot"), 32)) {
            WritePlan plan = writeOrder(stick.slot());

            VerifiedBy by = verifyOrder(plan, stick.slot());

            assertThat(by).isEqualTo(VerifiedBy.DIRECT);
        }
    }

    @Test
    void fileCorruptedOnTheDeviceBehindThePageCacheFailsVerification() throws Exception {
        try (LoopStick stick =
                LoopStick.mount(root.resolve("stick.img"), root.resolve("slot"), 32)) {
            WritePlan plan = writeOrder(stick.slot());
            Path written = stick.slot().resolve("ORD-1/music/track.bin");

            corruptOnTheDevice(stick.image(), Files.readAllBytes(written));

            assertThat(Sha256.of(written))
                    .as("a cached read still sees the bytes as written")
                    .isEqualTo(plan.files().get(0).sha256());
            assertThatThrownBy(() -> verifyOrder(plan, stick.slot()))
                    .isInstanceOfSatisfying(
                            JobFailure.class,
                            e -> {
                                assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
                                assertThat(e.getMessage())
                                        .contains("music/track.bin differs from the source")
                                        .contains("read direct");
                            });
        }
    }

    @Test
    void filesystemWithoutDirectReadsIsVerifiedThroughTheCache() throws Exception {
        LoopStick.requireMountRights();
        LoopStick.requireTools("squashfs-tools", "mksquashfs");
        // squashfs refuses O_DIRECT (EINVAL at open); tmpfs takes it since Linux 6.6.
        WritePlan plan = writeOrder(Files.createDirectories(root.resolve("content")));
        LoopStick.run(
                "mksquashfs",
                root.resolve("content").toString(),
                root.resolve("stick.sqfs").toString(),
                "-quiet",
                "-noappend");
        Path slot = Files.createDirectories(root.resolve("slot"));
        LoopStick.run(
                "mount",
                "-t",
                "squashfs",
                "-o",
                "loop,ro",
                root.resolve("stick.sqfs").toString(),
                slot.toString());
        try {
            assertThat(verifyOrder(plan, slot)).isEqualTo(VerifiedBy.CACHED);
        } finally {
            LoopStick.run("umount", slot.toString());
        }
    }

    @Test
    void stickPulledBeforeVerificationIsRemovedNotAVerificationFailure() throws Exception {
        try (LoopStick stick =
                LoopStick.mount(root.resolve("stick.img"), root.resolve("slot"), 32)) {
            WritePlan plan = writeOrder(stick.slot());
            SlotFilesystem leased = probe(stick.slot());

            stick.pull();

            assertThat(leased.isPresent()).isFalse();
            assertThatThrownBy(() -> verifyOrder(plan, stick.slot(), leased))
                    .isInstanceOfSatisfying(
                            JobFailure.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.USB_REMOVED));
            assertThatThrownBy(() -> leased.requireStillMounted("before completion"))
                    .isInstanceOfSatisfying(
                            JobFailure.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.USB_REMOVED));
        }
    }

    /** Verifies the order ORD-1 that {@link #writeOrder} wrote, with a fresh probe of the slot. */
    private static VerifiedBy verifyOrder(WritePlan plan, Path slot) throws Exception {
        return verifyOrder(plan, slot, probe(slot));
    }

    private static VerifiedBy verifyOrder(WritePlan plan, Path slot, SlotFilesystem filesystem)
            throws Exception {
        return new UsbVerifier().verify(plan, slot.resolve("ORD-1"), filesystem, () -> {});
    }

    private static SlotFilesystem probe(Path slot) {
        return new SlotProbe(true).probe(slot).require();
    }

    /** One random file and its manifest under ORD-1, written and fsync'd as the writer does. */
    private static WritePlan writeOrder(Path slot) throws IOException {
        byte[] bytes = new byte[FILE_SIZE];
        new Random(42).nextBytes(bytes);
        Path file = slot.resolve("ORD-1/music/track.bin");
        Files.createDirectories(file.getParent());
        writeSynced(file, bytes);
        WritePlan plan =
                new WritePlan(
                        List.of(
                                new PlannedFile(
                                        "music/track.bin", file, bytes.length, Sha256.of(bytes))));
        writeSynced(
                slot.resolve("ORD-1").resolve(WritePlan.MANIFEST_NAME),
                plan.manifest().getBytes(StandardCharsets.UTF_8));
        return plan;
    }

    private static void writeSynced(Path file, byte[] bytes) throws IOException {
        try (FileChannel out =
                FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(bytes));
            out.force(true);
        }
    }

    /**
     * Flips a byte of the file's first block where the device keeps it: in the image file behind
     * the loop device. The stick's page cache still holds the bytes as written.
     */
    private static void corruptOnTheDevice(Path image, byte[] content) throws IOException {
        byte[] firstBlock = Arrays.copyOf(content, 4096);
        byte[] imageBytes = Files.readAllBytes(image);
        for (int offset = 0; offset + firstBlock.length <= imageBytes.length; offset += 512) {
            if (Arrays.equals(
                    imageBytes,
                    offset,
                    offset + firstBlock.length,
                    firstBlock,
                    0,
                    firstBlock.length)) {
                try (RandomAccessFile device = new RandomAccessFile(image.toFile(), "rw")) {
                    device.seek(offset + 100);
                    device.write(~imageBytes[offset + 100]);
                }
                return;
            }
        }
        throw new AssertionError("The file's first block was not found in " + image);
    }
}
