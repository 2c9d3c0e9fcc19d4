package shop.usb.pipeline.device;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads sticks from the devices themselves: sysfs ({@code /sys/class/block}) for a disk's
 * partitions, size, insertion and USB serial, and {@code blkid -p} for a filesystem's type, UUID
 * and label from its superblock (no udev, no mount table).
 */
public class BlockDevices {

    private static final Path SYS_BLOCK = Path.of("/sys/class/block");
    private static final Path DEV = Path.of("/dev");

    /** blkid's exit status when the device holds nothing it knows. */
    private static final int BLKID_NOTHING_FOUND = 2;

    /** Not a blkid key: why the device could not be read. */
    private static final String UNREADABLE = " unreadable";

    private final PrivilegedCommands privileged;

    /** {@code privileged}: how blkid reads a superblock, which needs read rights on the device. */
    public BlockDevices(PrivilegedCommands privileged) {
        this.privileged = privileged;
    }

    public BlockDevices() {
        this(PrivilegedCommands.direct());
    }

    /**
     * A disk plugged into a port, as sysfs tells it without reading the disk: which, and which
     * attachment (a new one each time a stick is plugged in, so a swap within one look shows).
     */
    public record Attached(Path disk, long insertion, long sizeBytes) {}

    /** The disk a port's link leads to now, if one is plugged in (cheap: no command is run). */
    public Optional<Attached> attachedAt(Path link) {
        Path disk;
        try {
            disk = link.toRealPath();
        } catch (IOException unplugged) {
            return Optional.empty();
        }
        Optional<String> diskName = diskOf(disk);
        if (diskName.isEmpty()) {
            return Optional.empty();
        }
        // A port's link may name the stick's partition (…-part1): the stick is its disk.
        String name = diskName.get();
        disk = DEV.resolve(name);
        long size = sectors(name) * 512;
        if (!Files.isDirectory(SYS_BLOCK.resolve(name)) || size <= 0) {
            return Optional.empty(); // no block device, or a detached one
        }
        return Optional.of(
                new Attached(disk, number(SYS_BLOCK.resolve(name).resolve("diskseq")), size));
    }

    /**
     * The stick a port's link leads to, if one is plugged in: its one partition, or the whole stick
     * when it has no partition table; of several, the first that holds a filesystem.
     */
    public Optional<BlockDevice> atPort(Path link) {
        return attachedAt(link).map(this::describe);
    }

    /** What the attached disk holds, read from its partitions' superblocks. */
    public BlockDevice describe(Attached attached) {
        Path disk = attached.disk();
        List<String> partitions = partitionsOf(disk.getFileName().toString());
        if (partitions.isEmpty()) {
            return describe(disk, disk, attached.sizeBytes());
        }
        BlockDevice first = null;
        for (String partition : partitions) {
            BlockDevice candidate = describe(DEV.resolve(partition), disk, attached.sizeBytes());
            if (candidate.hasFilesystem()) {
                return candidate;
            }
            first = first == null ? candidate : first;
        }
        return first;
    }

    /** The filesystem on a device a mount names as its source, as its superblock tells it. */
    public Optional<BlockDevice> of(Path device) {
        Path real;
        try {
            real = device.toRealPath();
        } catch (IOException gone) {
            return Optional.empty();
        }
        return diskOf(real).map(disk -> describe(real, DEV.resolve(disk), sectors(disk) * 512));
    }

    /** The insertion number of the disk a device (or partition) is on; -1 when unknown. */
    long insertionOf(Path device) {
        return diskOf(device)
                .map(disk -> number(SYS_BLOCK.resolve(disk).resolve("diskseq")))
                .orElse(-1L);
    }

    /** The name of the disk a device is, or is a partition of. */
    private static Optional<String> diskOf(Path device) {
        try {
            String name = device.toRealPath().getFileName().toString();
            Path sys = SYS_BLOCK.resolve(name);
            if (!Files.isDirectory(sys)) {
                return Optional.empty();
            }
            return Optional.of(
                    Files.exists(sys.resolve("partition"))
                            ? sys.toRealPath().getParent().getFileName().toString()
                            : name);
        } catch (IOException gone) {
            return Optional.empty();
        }
    }

    /** The "major:minor" numbers of a disk and of each of its partitions. */
    List<String> numbersOf(Path disk) {
        String name = disk.getFileName().toString();
        List<String> numbers = new ArrayList<>();
        for (String device : concat(name, partitionsOf(name))) {
            try {
                numbers.add(Files.readString(SYS_BLOCK.resolve(device).resolve("dev")).trim());
            } catch (IOException gone) {
                // not there any more: nothing mounted from it
            }
        }
        return numbers;
    }

    /** The device paths of a disk and of each of its partitions. */
    List<String> pathsOf(Path disk) {
        String name = disk.getFileName().toString();
        return concat(name, partitionsOf(name)).stream()
                .map(device -> DEV.resolve(device).toString())
                .toList();
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    /** The partitions the kernel found on a disk, in order. */
    List<String> partitionsOf(String disk) {
        List<String> partitions = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(SYS_BLOCK.resolve(disk))) {
            for (Path entry : entries) {
                if (entry.getFileName().toString().startsWith(disk)
                        && Files.exists(entry.resolve("partition"))) {
                    partitions.add(entry.getFileName().toString());
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        partitions.sort(
                Comparator.comparingLong(
                        partition -> number(SYS_BLOCK.resolve(partition).resolve("partition"))));
        return partitions;
    }

    private BlockDevice describe(Path device, Path disk, long sizeBytes) {
        Map<String, String> probed = blkid(device);
        String diskName = disk.getFileName().toString();
        return new BlockDevice(
                device,
                disk,
                probed.get("TYPE"),
                probed.get("UUID"),
                probed.get("LABEL"),
                sizeBytes,
                serialOf(diskName),
                number(SYS_BLOCK.resolve(diskName).resolve("diskseq")),
                probed.get(UNREADABLE));
    }

    /**
     * {@code blkid -p -o export}: KEY=value lines from the device's superblock; none when it holds
     * no filesystem (status 2); {@link #UNREADABLE} with why when it could not be read.
     */
    private Map<String, String> blkid(Path device) {
        SystemCommand.Finished blkid =
                privileged.finished(List.of("blkid", "-p", "-o", "export", device.toString()));
        Map<String, String> values = new HashMap<>();
        if (blkid.status() == BLKID_NOTHING_FOUND) {
            return values;
        }
        if (blkid.status() != 0) {
            values.put(
                    UNREADABLE,
                    "blkid -p " + device + " failed (" + blkid.status() + "): " + blkid.output());
            return values;
        }
        for (String line : blkid.output().split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                values.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return values;
    }

    /**
     * The USB serial of the device a disk is on: sysfs has it on the USB device, a few levels up.
     */
    private static String serialOf(String disk) {
        try {
            for (Path dir = SYS_BLOCK.resolve(disk).toRealPath().getParent();
                    dir != null && dir.startsWith("/sys/devices");
                    dir = dir.getParent()) {
                if (Files.exists(dir.resolve("idVendor")) && Files.exists(dir.resolve("serial"))) {
                    String serial = Files.readString(dir.resolve("serial")).trim();
                    return serial.isEmpty() ? null : serial;
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static long sectors(String name) {
        return number(SYS_BLOCK.resolve(name).resolve("size"));
    }

    private static long number(Path file) {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
