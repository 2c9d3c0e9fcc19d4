package shop.usb.pipeline.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs what needs privileges on a port's stick: mounting it at its slot with options that fit its
 * filesystem ({@code pipeline.usb.mount.<type>}), unmounting it, and formatting it. Each command is
 * a template whose words take {@code {device}}, {@code {mountpoint}}, {@code {uid}} and {@code
 * {gid}}; with {@code pipeline.usb.privileged-helper} set, every command runs through that helper
 * (a small program with a narrow interface, docs/station-setup.md), so the JVM needs no root.
 */
public class Mounter {

    private static final long TIMEOUT_SECONDS = 120;

    private final Map<String, String> mountCommands;
    private final PrivilegedCommands privileged;
    private final long uid;
    private final long gid;

    /** {@code mountCommands}: a template per filesystem type (vfat, exfat, ext4). */
    public Mounter(Map<String, String> mountCommands, PrivilegedCommands privileged) {
        this.mountCommands = Map.copyOf(mountCommands);
        this.privileged = privileged;
        this.uid = ownId("Uid:");
        this.gid = ownId("Gid:");
    }

    /**
     * Refuses to go on, with what to do, when the product could not mount: not root and no helper,
     * or a helper that does not answer its check.
     */
    public void requireCanMount() {
        if (!privileged.throughHelper()) {
            if (uid != 0) {
                throw new IllegalStateException(
                        "pipeline.usb.ports is set, but this process (uid "
                                + uid
                                + ") cannot mount sticks: run it as root, or set"
                                + " pipeline.usb.privileged-helper (see docs/station-setup.md)");
            }
            return;
        }
        String failed = run(List.of("check"), null);
        if (failed != null) {
            throw new IllegalStateException(
                    "pipeline.usb.ports is set, but pipeline.usb.privileged-helper cannot mount"
                            + " sticks: "
                            + failed
                            + " (see docs/station-setup.md)");
        }
    }

    /**
     * Refuses to go on when a tool the station needs is missing here: blkid, and for formatting
     * sfdisk, partx and the mkfs of each filesystem it makes. (Through the helper, the tools are
     * the helper's: its check answers for them.)
     */
    public void requireTools(StickFormat format) {
        if (privileged.throughHelper()) {
            return;
        }
        List<String> tools = new ArrayList<>(List.of("blkid"));
        if (format != StickFormat.KEEP) {
            tools.addAll(List.of("sfdisk", "partx"));
            for (String fsType : format.filesystemsMade()) {
                tools.add(fsType.equals("vfat") ? "mkfs.vfat" : "mkfs.exfat");
            }
        }
        for (String tool : tools) {
            if (!SystemCommand.installed(tool)) {
                throw new IllegalStateException(
                        "pipeline.usb.ports is set, but "
                                + tool
                                + " is not installed (pipeline.usb.format="
                                + format.name().toLowerCase(Locale.ROOT)
                                + "; see docs/station-setup.md)");
            }
        }
    }

    /** Mounts the stick's filesystem at the slot; null when it is mounted, else why not. */
    public String mount(BlockDevice stick, Path mountPoint) {
        String template = mountCommands.get(stick.fsType().toLowerCase(Locale.ROOT));
        if (template == null) {
            return "no mount command for "
                    + stick.fsType()
                    + " (pipeline.usb.mount."
                    + stick.fsType()
                    + ")";
        }
        try {
            Files.createDirectories(mountPoint);
        } catch (IOException e) {
            return "cannot make the mount point " + mountPoint + ": " + e.getMessage();
        }
        return run(words(template, stick.device(), mountPoint), null);
    }

    /** Unmounts the slot; lazily for a stick that was pulled (its files are gone with it). */
    public String unmount(Path mountPoint, boolean pulled) {
        return run(
                pulled
                        ? List.of("umount", "--lazy", mountPoint.toString())
                        : List.of("umount", mountPoint.toString()),
                null);
    }

    /**
     * A fresh MBR with one partition of the type's id, {@code partitionType} (c: FAT32, 7: exFAT),
     * across the whole stick.
     */
    public String partition(Path disk, String partitionType) {
        String failed =
                run(
                        List.of(
                                "sfdisk",
                                "--quiet",
                                "--wipe",
                                "always",
                                "--wipe-partitions",
                                "always",
                                disk.toString()),
                        "label: dos\n,," + partitionType + "\n");
        if (failed != null) {
            return failed;
        }
        // The kernel re-reads the table when nothing holds the stick; partx tells it where that is
        // not enough (a loop device): one of the two may fail as there is nothing left to do.
        run(List.of("partx", "--update", disk.toString()), null);
        run(List.of("partx", "--add", disk.toString()), null);
        return null;
    }

    /** Makes FAT32 ("vfat") or exFAT, with its label (none when empty), on the partition. */
    public String makeFilesystem(Path partition, String fsType, String label) {
        List<String> command =
                new ArrayList<>(
                        fsType.equals("vfat")
                                ? List.of("mkfs.vfat", "-F", "32")
                                : List.of("mkfs.exfat"));
        if (!label.isEmpty()) {
            command.add(fsType.equals("vfat") ? "-n" : "-L");
            command.add(label);
        }
        command.add(partition.toString());
        return run(command, null);
    }

    private List<String> words(String template, Path device, Path mountPoint) {
        List<String> words = new ArrayList<>();
        for (String word : template.trim().split("\\s+")) {
            words.add(
                    word.replace("{device}", device.toString())
                            .replace("{mountpoint}", mountPoint.toString())
                            .replace("{uid}", String.valueOf(uid))
                            .replace("{gid}", String.valueOf(gid)));
        }
        return words;
    }

    /** Runs the command (through the helper, if one is set); null when it succeeded. */
    private String run(List<String> command, String input) {
        return privileged.run(command, input, TIMEOUT_SECONDS);
    }

    /** This process's own effective user or group id, as the kernel tells it. */
    private static long ownId(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
