package shop.usb.pipeline.support;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A stick for a station's port: an image with an MBR and one partition (or none, a "superfloppy"),
 * holding ext4, FAT32 or exFAT (or nothing), attached as a loop device. Plugging it in makes a link
 * under the test's ports folder that leads to the device, as udev's {@code /dev/disk/by-path} link
 * does; pulling it removes the link and detaches the device. The product mounts it itself: FAT32
 * and exFAT through FUSE ({@code fusefat}, {@code mount.exfat-fuse}), since this kernel has neither
 * driver.
 */
public final class PortStick implements AutoCloseable {

    /**
     * The product's mount commands for the drivers the tests have: FUSE for FAT32 and exFAT, and
     * ext4, which the product does not mount unless told to.
     */
    public static final Map<String, String> TEST_MOUNTS =
            Map.of(
                    "pipeline.usb.mount.vfat", "fusefat -o rw+ {device} {mountpoint}",
                    "pipeline.usb.mount.exfat", "mount.exfat-fuse {device} {mountpoint}",
                    "pipeline.usb.mount.ext4",
                            "mount -t ext4 -o errors=remount-ro,nosuid,nodev,noexec {device} {mountpoint}");

    private final Path image;
    private String disk;
    private Path link;

    private PortStick(Path image) {
        this.image = image;
    }

    /** Skips (or fails, where required) the calling test unless the port tools are there. */
    public static void requireTools(String fsType) {
        LoopStick.requireMountRights();
        LoopStick.requireTools("fdisk util-linux", "sfdisk", "partx", "blkid");
        switch (fsType) {
            case "vfat" ->
                    LoopStick.requireTools(
                            "dosfstools fusefat", "mkfs.vfat", "fatlabel", "fusefat");
            case "exfat" ->
                    LoopStick.requireTools(
                            "exfatprogs exfat-fuse",
                            "mkfs.exfat",
                            "exfatlabel",
                            "mount.exfat-fuse");
            default -> LoopStick.requireTools("e2fsprogs", "mkfs.ext4", "e2label");
        }
    }

    /**
     * A stick of {@code sizeBytes} (sparse) with an MBR and one partition holding {@code fsType}
     * labelled {@code label} (none when empty); {@code fsType} null leaves the partition empty.
     */
    public static PortStick withPartition(Path image, long sizeBytes, String fsType, String label)
            throws IOException {
        PortStick stick = blank(image, sizeBytes);
        LoopStick.run(
                "sh",
                "-c",
                "printf 'label: dos\\n,,%s\\n' " + typeOf(fsType) + " | sfdisk --quiet " + image);
        stick.attach();
        if (fsType != null) {
            makeFilesystem(stick.partition(), fsType, label);
        }
        return stick;
    }

    /** A "superfloppy": the filesystem on the whole stick, no partition table. */
    public static PortStick superfloppy(Path image, long sizeBytes, String fsType, String label)
            throws IOException {
        PortStick stick = blank(image, sizeBytes);
        stick.attach();
        makeFilesystem(stick.disk, fsType, label);
        return stick;
    }

    /**
     * Writes {@code text} at {@code relativePath} on the stick's first partition (ext4: the kernel
     * mounts it for a moment), as a stick that was used before holds files.
     */
    public PortStick holding(String relativePath, String text) throws IOException {
        Path mountPoint = Files.createTempDirectory("port-stick");
        LoopStick.run("mount", "-t", "ext4", partition(), mountPoint.toString());
        try {
            Path file = mountPoint.resolve(relativePath);
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } finally {
            LoopStick.run("umount", mountPoint.toString());
            Files.delete(mountPoint);
        }
        return this;
    }

    /** Plugged into the port: the port's link appears, leading to the stick's device. */
    public PortStick plugInto(Path portLink) throws IOException {
        Files.createDirectories(portLink.getParent());
        Files.createSymbolicLink(portLink, Path.of(disk));
        link = portLink;
        return this;
    }

    /** Pulled out: the link vanishes and the device goes (once nothing holds it). */
    public void pull() throws IOException {
        if (link != null) {
            Files.deleteIfExists(link);
            link = null;
        }
        if (disk != null) {
            try {
                LoopStick.run("partx", "--delete", disk);
            } catch (IOException stillMounted) {
                // a pulled stick's filesystem may be held until its lazy unmount completes
            }
            LoopStick.run("losetup", "--detach", disk);
            disk = null;
        }
    }

    /** The whole stick's device. */
    public String disk() {
        return disk;
    }

    /** The stick's first partition's device, as the kernel names it. */
    public String partition() {
        return disk + "p1";
    }

    /** What {@code blkid -p} reads from the device's superblock: TYPE, UUID, LABEL… */
    public static Map<String, String> blkid(String device) throws IOException {
        Map<String, String> values = new HashMap<>();
        for (String line : LoopStick.run("blkid", "-p", "-o", "export", device).split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                values.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return values;
    }

    /** The partitions the kernel sees on the stick now. */
    public List<String> partitions() throws IOException {
        List<String> found = new ArrayList<>();
        String name = Path.of(disk).getFileName().toString();
        try (var entries = Files.list(Path.of("/sys/class/block", name))) {
            entries.map(entry -> entry.getFileName().toString())
                    .filter(entry -> entry.startsWith(name + "p"))
                    .sorted()
                    .forEach(found::add);
        }
        return found;
    }

    @Override
    public void close() throws IOException {
        try {
            pull();
        } catch (IOException stillHeld) {
            // a lazily unmounted FUSE filesystem may hold it a moment longer: detached then
            System.err.println("PortStick " + disk + " cleanup: " + stillHeld.getMessage());
        }
        Files.deleteIfExists(image);
    }

    private static PortStick blank(Path image, long sizeBytes) throws IOException {
        Files.createDirectories(image.getParent());
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(sizeBytes);
        }
        return new PortStick(image);
    }

    private void attach() throws IOException {
        disk = LoopStick.run("losetup", "--find", "--show", image.toString()).trim();
        // losetup -P does not expose partitions on this kernel's loop devices; partx does. A loop
        // device may still carry the partitions of an earlier image (a detach leaves what partx
        // added): --update makes them this image's, --add adds those it had none of.
        for (String action : List.of("--update", "--add")) {
            try {
                LoopStick.run("partx", action, disk);
            } catch (IOException nothingToDo) {
                // a superfloppy has no partition table; or the partitions were already right
            }
        }
    }

    private static void makeFilesystem(String device, String fsType, String label)
            throws IOException {
        List<String> command =
                new ArrayList<>(
                        switch (fsType) {
                            case "vfat" -> List.of("mkfs.vfat", "-F", "32");
                            case "exfat" -> List.of("mkfs.exfat");
                            default ->
                                    List.of(
                                            "mkfs.ext4",
                                            "-q",
                                            "-F",
                                            "-b",
                                            "4096",
                                            "-E",
                                            "nodiscard");
                        });
        if (!label.isEmpty()) {
            command.add(fsType.equals("vfat") ? "-n" : "-L");
            command.add(label);
        }
        command.add(device);
        LoopStick.run(command.toArray(String[]::new));
    }

    private static String typeOf(String fsType) {
        return fsType == null
                ? "83"
                : switch (fsType) {
                    case "vfat" -> "c";
                    case "exfat" -> "7";
                    default -> "83";
                };
    }
}
