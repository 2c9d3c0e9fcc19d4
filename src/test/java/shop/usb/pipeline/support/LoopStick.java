package shop.usb.pipeline.support;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real stick for tests: an ext4 image file attached to a loop device and mounted on a slot
 * folder. Needs root (losetup, mount). Where that is not permitted the test is skipped with a loud
 * message, except where PIPELINE_MOUNT_TESTS=required (.ci/run sets it): there it fails.
 */
public final class LoopStick implements AutoCloseable {

    private static final Path BLKIO_THROTTLE =
            Path.of("/sys/fs/cgroup/blkio/blkio.throttle.write_bps_device");

    private final Path image;
    private final Path slot;
    private String device;
    private String majorMinor;
    private boolean mounted;
    private boolean attached = true;
    private boolean throttled;

    private LoopStick(Path image, Path slot, String device, String majorMinor) {
        this.image = image;
        this.slot = slot;
        this.device = device;
        this.majorMinor = majorMinor;
        this.mounted = true;
    }

    /**
     * Makes an ext4 image of {@code sizeMiB}, attaches it and mounts it on {@code slot} (created if
     * missing).
     */
    public static LoopStick mount(Path image, Path slot, int sizeMiB) throws IOException {
        requireMountRights();
        Files.createDirectories(slot);
        Files.createDirectories(image.getParent());
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength((long) sizeMiB * 1024 * 1024);
        }
        // 4 KiB blocks, as a real stick has (mke2fs picks 1 KiB for a small image).
        run("mkfs.ext4", "-q", "-F", "-b", "4096", "-E", "nodiscard", image.toString());
        String device = run("losetup", "--find", "--show", image.toString()).trim();
        try {
            run("mount", "-t", "ext4", device, slot.toString());
        } catch (IOException e) {
            run("losetup", "--detach", device);
            throw e;
        }
        String majorMinor =
                run("lsblk", "--nodeps", "--noheadings", "--output", "MAJ:MIN", device).trim();
        return new LoopStick(image, slot, device, majorMinor);
    }

    /** Skips the calling test where mounting is not permitted, or fails it where it is required. */
    public static void requireMountRights() {
        String why = mountRightsMissing();
        if (why == null) {
            return;
        }
        String message = "Tests on real filesystems need root with mount rights: " + why;
        if ("required".equals(System.getenv("PIPELINE_MOUNT_TESTS"))) {
            fail(message + " (PIPELINE_MOUNT_TESTS=required)");
        }
        System.err.println("SKIPPED LOUDLY: " + message);
        assumeTrue(false, message);
    }

    /**
     * Skips the calling test loudly where one of the tools it alone needs is missing (only that
     * test), or fails it where the mount tests are required ({@code PIPELINE_MOUNT_TESTS}).
     */
    public static void requireTools(String debianPackages, String... tools) {
        for (String tool : tools) {
            if (!onPath(tool)) {
                String message =
                        "This test needs " + tool + " (apt-get install " + debianPackages + ")";
                if ("required".equals(System.getenv("PIPELINE_MOUNT_TESTS"))) {
                    fail(message + " (PIPELINE_MOUNT_TESTS=required)");
                }
                System.err.println("SKIPPED LOUDLY: " + message);
                assumeTrue(false, message);
            }
        }
    }

    private static String mountRightsMissing() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not running as root";
        }
        for (String tool : List.of("losetup", "mount", "umount", "mkfs.ext4", "lsblk")) {
            if (!onPath(tool)) {
                return tool + " is missing (apt-get install util-linux mount e2fsprogs)";
            }
        }
        if (!Files.exists(Path.of("/dev/loop-control"))) {
            return "/dev/loop-control is missing";
        }
        return null;
    }

    public Path slot() {
        return slot;
    }

    public Path image() {
        return image;
    }

    public String device() {
        return device;
    }

    /**
     * Limits writes to the device, as a slow stick: the cgroup v1 blkio throttle of its
     * major:minor, which also holds the kernel's writeback of the page cache, so an fsync waits.
     */
    public void throttleWrites(long bytesPerSecond) throws IOException {
        throttle(majorMinor, bytesPerSecond);
        throttled = true;
    }

    /**
     * Limits writes to the device {@code majorMinor} (0: no limit) through the cgroup v1 blkio
     * throttle; skips the calling test loudly where there is none (fails it where required).
     */
    public static void throttle(String majorMinor, long bytesPerSecond) throws IOException {
        if (!Files.isWritable(BLKIO_THROTTLE)) {
            String message =
                    "Throttling a loop device needs the cgroup v1 blkio controller ("
                            + BLKIO_THROTTLE
                            + ")";
            if ("required".equals(System.getenv("PIPELINE_MOUNT_TESTS"))) {
                fail(message);
            }
            System.err.println("SKIPPED LOUDLY: " + message);
            assumeTrue(false, message);
        }
        Files.writeString(
                BLKIO_THROTTLE, majorMinor + " " + bytesPerSecond, StandardCharsets.US_ASCII);
    }

    /**
     * The stick is pulled: a lazy unmount, as udisks or systemd does; open files go on, new paths
     * land on the host.
     */
    public void pull() throws IOException {
        run("umount", "--lazy", slot.toString());
        mounted = false;
    }

    /** Taken out: unmounted (unless the product ejected it) and its device gone. */
    public void unplug() throws IOException {
        if (mounted && isMounted()) {
            run("umount", slot.toString());
        }
        mounted = false;
        run("losetup", "--detach", device);
        attached = false;
    }

    /** Plugged in again: the same filesystem on a device, mounted on the slot. */
    public void plugIn() throws IOException {
        device = run("losetup", "--find", "--show", image.toString()).trim();
        majorMinor = run("lsblk", "--nodeps", "--noheadings", "--output", "MAJ:MIN", device).trim();
        attached = true;
        run("mount", "-t", "ext4", device, slot.toString());
        mounted = true;
    }

    @Override
    public void close() throws IOException {
        List<String> problems = new ArrayList<>();
        if (throttled) {
            Files.writeString(BLKIO_THROTTLE, majorMinor + " 0", StandardCharsets.US_ASCII);
        }
        if (mounted && isMounted()) {
            try {
                run("umount", slot.toString());
            } catch (IOException e) {
                problems.add(e.getMessage());
                run("umount", "--lazy", slot.toString());
            }
        }
        // A device still held by a lazily unmounted filesystem is freed once its last file closes.
        try {
            if (attached) {
                run("losetup", "--detach", device);
            }
        } catch (IOException e) {
            problems.add(e.getMessage());
        }
        Files.deleteIfExists(image);
        if (!problems.isEmpty()) {
            System.err.println("LoopStick " + device + " cleanup: " + problems);
        }
    }

    /** The product may have unmounted it (eject). */
    private boolean isMounted() throws IOException {
        return isMountPoint(slot);
    }

    /** Whether something is mounted on the folder, as /proc/self/mountinfo says. */
    public static boolean isMountPoint(Path folder) throws IOException {
        String mountPoint = " " + folder.toRealPath() + " ";
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .anyMatch(line -> line.contains(mountPoint));
    }

    public static String run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted: " + String.join(" ", command), e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException(
                    String.join(" ", command) + " failed (" + process.exitValue() + "): " + output);
        }
        return output;
    }

    private static boolean onPath(String tool) {
        for (String dir :
                System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool))
                || Files.isExecutable(Path.of("/sbin", tool));
    }
}
