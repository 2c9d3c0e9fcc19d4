package shop.usb.pipeline.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Finds out what a slot holds. With {@code pipeline.usb.require-mount} a slot holds a stick only
 * when its folder is the root of a filesystem of its own: listed in the mount table and on a device
 * other than its parent folder's. Mount points made by fstab, systemd, udisks or a bind mount stay
 * behind as empty folders when the stick goes; those hold nothing. The filesystem's type, UUID and
 * label come from the device ({@link BlockDevices}, once per mount), never from the mount table,
 * where an exFAT stick under exfat-fuse is "fuseblk". Folder slots (the demo) hold whatever
 * filesystem their folder is on.
 */
public class SlotProbe {

    /** Mounts whose device was read, by mount, device and insertion: a new one is read again. */
    private static final int KNOWN_MOUNTS = 64;

    private final boolean requireMount;
    private final Ports ports;
    private final BlockDevices devices;
    private final Map<String, Optional<BlockDevice>> known =
            Collections.synchronizedMap(
                    new LinkedHashMap<>(16, 0.75f, true) {
                        @Override
                        protected boolean removeEldestEntry(
                                Map.Entry<String, Optional<BlockDevice>> eldest) {
                            return size() > KNOWN_MOUNTS;
                        }
                    });

    public SlotProbe(boolean requireMount, Ports ports, BlockDevices devices) {
        this.requireMount = requireMount;
        this.ports = ports;
        this.devices = devices;
    }

    /** A probe of folders, or of mounts that something else makes, on no ports. */
    public SlotProbe(boolean requireMount) {
        this(requireMount, Ports.none(), new BlockDevices());
    }

    /** The filesystem the slot holds now, or why it holds none. */
    public Probe probe(Path slot) {
        if (!Files.isDirectory(slot)) {
            Optional<String> problem = ports.problem(slot);
            return Probe.empty(problem.orElse(slot + " is not mounted (no such folder)"));
        }
        try {
            Path real = slot.toRealPath();
            Object key =
                    Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                            .fileKey();
            long device = SlotFilesystem.device(real);
            if (!requireMount) {
                return Probe.holding(
                        new SlotFilesystem(
                                slot,
                                real,
                                key,
                                device,
                                -1,
                                Files.getFileStore(real).type(),
                                "folder",
                                null));
            }
            Optional<MountTable.Mount> mount = MountTable.mountedOn(real);
            if (real.getParent() == null
                    || mount.isEmpty()
                    || SlotFilesystem.device(real.getParent()) == device) {
                return Probe.empty(
                        ports.problem(slot)
                                .orElse(
                                        slot
                                                + " holds no stick: it is not the root of a"
                                                + " filesystem of its own (an empty mount point; set"
                                                + " pipeline.usb.require-mount=false only for plain"
                                                + " folders)"));
            }
            BlockDevice block = blockOf(slot, mount.get());
            return Probe.holding(
                    new SlotFilesystem(
                            slot,
                            real,
                            key,
                            device,
                            mount.get().id(),
                            block != null && block.hasFilesystem()
                                    ? block.fsType()
                                    : mount.get().fsType(),
                            mount.get().source(),
                            block));
        } catch (IOException e) {
            return Probe.empty("Cannot look at " + slot + ": " + e);
        }
    }

    /**
     * The device behind the mount: the port's stick, or the block device the mount names as its
     * source; null when neither (a FUSE mount that names none).
     */
    private BlockDevice blockOf(Path slot, MountTable.Mount mount) {
        Optional<BlockDevice> onPort = ports.mountedAt(slot);
        if (onPort.isPresent()) {
            return onPort.get();
        }
        if (!mount.source().startsWith("/dev/")) {
            return null;
        }
        // The kernel reuses mount ids and device names: the disk's insertion tells a new stick.
        Path source = Path.of(mount.source());
        String key = mount.id() + " " + source + " " + devices.insertionOf(source);
        return known.computeIfAbsent(key, k -> devices.of(source)).orElse(null);
    }
}
