package shop.usb.pipeline.device;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What the mount table says of a port's stick and its slot. */
final class PortMounts {

    private final BlockDevices devices;

    PortMounts(BlockDevices devices) {
        this.devices = devices;
    }

    /** Where else the stick (its disk or a partition) is mounted, or null when nowhere. */
    String elsewhere(BlockDevice stick, Path slot) throws IOException {
        List<String> numbers = devices.numbersOf(stick.disk());
        List<String> paths = devices.pathsOf(stick.disk());
        Path ownMount = realOrAsGiven(slot);
        for (MountTable.Mount mount : MountTable.all()) {
            boolean ofTheStick = numbers.contains(mount.device()) || paths.contains(mount.source());
            if (ofTheStick && !mount.mountPoint().equals(ownMount)) {
                return mount.mountPoint().toString();
            }
        }
        return null;
    }

    /** Whether the slot's mount is of this stick's device (by its numbers or its path). */
    boolean isFrom(BlockDevice stick, Path slot) {
        try {
            Optional<MountTable.Mount> mount = MountTable.mountedOn(slot.toRealPath());
            return mount.isPresent()
                    && (devices.numbersOf(stick.disk()).contains(mount.get().device())
                            || devices.pathsOf(stick.disk()).contains(mount.get().source()));
        } catch (IOException gone) {
            return false;
        }
    }

    /**
     * Whether something is mounted on the slot, as the mount table says. A FUSE mount whose driver
     * died cannot be looked at (ENOTCONN) and is still there to be unmounted.
     */
    static boolean anyOn(Path slot) {
        try {
            return MountTable.mountedOn(realOrAsGiven(slot)).isPresent();
        } catch (IOException noTable) {
            return false;
        }
    }

    /** The slot's real path; as given where it cannot be looked at (a dead FUSE mount). */
    private static Path realOrAsGiven(Path slot) {
        try {
            return slot.toRealPath();
        } catch (IOException unreachable) {
            return slot.toAbsolutePath().normalize();
        }
    }
}
