package shop.usb.pipeline.benchmark;

import static shop.usb.pipeline.benchmark.Figures.format;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import shop.usb.pipeline.content.Sha256;
import shop.usb.pipeline.content.WritePlan;
import shop.usb.pipeline.content.WritePlan.PlannedFile;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.device.SlotProbe;
import shop.usb.pipeline.support.LoopStick;
import shop.usb.pipeline.transfer.UsbVerifier;
import shop.usb.pipeline.transfer.VerifiedBy;

/**
 * Verification read-back on a real filesystem: an ext4 stick on a loop device. Direct (O_DIRECT,
 * what verification does) against cached reads, cold (caches dropped, read from the device) and
 * warm (right after the write: what a cached verification would really read). Needs root. Run:
 * {@code mvn -B test -Pbenchmark}; prints a table and writes target/benchmark-readback.md.
 */
@Tag("benchmark")
class ReadBackBenchmark {

    static final int FILE_MIB = Integer.getInteger("benchmark.readback-mib", 512);

    final Path root = Path.of("target", "benchmark", "readback").toAbsolutePath();

    @Test
    void run() throws Exception {
        LoopStick.requireMountRights();
        Files.createDirectories(root);
        Figures figures = new Figures();
        try (LoopStick stick =
                LoopStick.mount(root.resolve("stick.img"), root.resolve("slot"), FILE_MIB + 256)) {
            Path written = stick.slot().resolve("ORD-BENCH/file.bin");
            String sha256 = writeSynced(written, (long) FILE_MIB * 1024 * 1024);
            WritePlan plan =
                    new WritePlan(
                            List.of(
                                    new PlannedFile(
                                            "file.bin", written, Files.size(written), sha256)));
            Files.writeString(written.resolveSibling(WritePlan.MANIFEST_NAME), plan.manifest());
            SlotFilesystem leased = new SlotProbe(true).probe(stick.slot()).require();
            double mib = FILE_MIB;

            double warm = seconds(() -> Sha256.of(written));
            dropCaches();
            VerifiedBy[] by = new VerifiedBy[1];
            double direct =
                    seconds(
                            () ->
                                    by[0] =
                                            new UsbVerifier()
                                                    .verify(
                                                            plan,
                                                            written.getParent(),
                                                            leased,
                                                            () -> {}));
            dropCaches();
            double cold = seconds(() -> Sha256.of(written));

            figures.add(
                    format(
                            "verification, direct (O_DIRECT, read %s), %d MiB",
                            by[0].label(), FILE_MIB),
                    format("%.0f MiB/s", mib / direct),
                    format("cached, caches dropped %.0f MiB/s", mib / cold),
                    format("%.2f", cold / direct),
                    "",
                    "");
            figures.add(
                    "cached read right after the write (page cache, proves nothing about the stick)",
                    format("%.0f MiB/s", mib / warm),
                    "",
                    "",
                    "",
                    "");
        }
        String report =
                "Read-back on an ext4 loop device whose image lies on "
                        + Files.getFileStore(root).type()
                        + " ("
                        + Files.getFileStore(root).name()
                        + ")\n\n"
                        + figures.table();
        System.out.println("\n" + report);
        Files.writeString(
                root.resolveSibling("..").normalize().resolve("benchmark-readback.md"), report);
    }

    /** Random bytes written in 8 MiB chunks and fsync'd; returns their SHA-256. */
    private static String writeSynced(Path file, long size) throws IOException {
        Files.createDirectories(file.getParent());
        var digest = Sha256.newDigest();
        byte[] chunk = new byte[8 * 1024 * 1024];
        Random random = new Random(7);
        try (FileChannel out =
                FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long done = 0; done < size; done += chunk.length) {
                random.nextBytes(chunk);
                digest.update(chunk);
                out.write(ByteBuffer.wrap(chunk));
            }
            out.force(true);
        }
        return Sha256.hex(digest);
    }

    /**
     * Both the stick's cache and its image's: the next read comes from the disk under the loop
     * device.
     */
    private static void dropCaches() throws IOException, InterruptedException {
        LoopStick.run("sync");
        Process drop = new ProcessBuilder("sh", "-c", "echo 3 > /proc/sys/vm/drop_caches").start();
        drop.getInputStream().transferTo(OutputStream.nullOutputStream());
        if (drop.waitFor() != 0) {
            throw new IOException("Cannot drop the page cache (needs root)");
        }
    }

    private static double seconds(Work work) throws Exception {
        long start = System.nanoTime();
        work.run();
        return (System.nanoTime() - start) / 1e9;
    }

    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }
}
