package shop.usb.pipeline.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * Finds out what a slot holds. With {@code pipeline.usb.require-mount} a slot holds a stick only
 * when its folder is the root of a filesystem of its own: listed in the mount table and on a device
 * other than its parent folder's. Mount points made by fstab, systemd, udisks or a bind mount stay
 * behind as empty folders when the stick goes; those hold nothing. Folder slots (the demo) hold
 * whatever filesystem their folder is on.
 */
public class SlotProbe {

    private final boolean requireMount;

    public SlotProbe(boolean requireMount) {
        this.requireMount = requireMount;
    }

    /** The filesystem the slot holds now, or why it holds none. */
    public Probe probe(Path slot) {
        if (!Files.isDirectory(slot)) {
            return Probe.empty(slot + " is not mounted (no such folder)");
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
                                "folder"));
            }
            Optional<MountTable.Mount> mount = MountTable.mountedOn(real);
            if (real.getParent() == null
                    || mount.isEmpty()
                    || SlotFilesystem.device(real.getParent()) == device) {
                return Probe.empty(
                        slot
                                + " holds no stick: it is not the root of a"
                                + " filesystem of its own (an empty mount point; set pipeline.usb.require-mount=false"
                                + " only for plain folders)");
            }
            return Probe.holding(
                    new SlotFilesystem(
                            slot,
                            real,
                            key,
                            device,
                            mount.get().id(),
                            mount.get().fsType(),
                            mount.get().source()));
        } catch (IOException e) {
            return Probe.empty("Cannot look at " + slot + ": " + e);
        }
    }
}
