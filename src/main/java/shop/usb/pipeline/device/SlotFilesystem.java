package shop.usb.pipeline.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;

/**
 * The filesystem a slot held when a run leased it. A run checks before each file, and again before
 * its job is COMPLETED, that the slot still holds it: a pulled stick leaves its mount point as an
 * empty folder on the host's disk, and nothing may be written there or taken for the stick.
 *
 * @param fileKey the slot folder's device and inode, as one stat gives them
 * @param mountId the kernel's id of the mount, new for every mount; -1 for a folder slot
 * @param fsType the filesystem's type as the device tells it where the device is known, else as the
 *     mount table names it
 * @param block the stick's filesystem as its device tells it; null where the device is not known (a
 *     folder slot, or a FUSE mount whose source names no device)
 */
public record SlotFilesystem(
        Path slot,
        Path realPath,
        Object fileKey,
        long device,
        int mountId,
        String fsType,
        String source,
        BlockDevice block) {

    public boolean isMount() {
        return mountId >= 0;
    }

    /** For logs and the lease: "ext4 /dev/loop3 (mount 812)" or "folder on ext4". */
    public String describe() {
        return isMount()
                ? fsType + " " + source + " (mount " + mountId + ")"
                : "folder on " + fsType;
    }

    /** One stat: the slot folder is still the root that was leased (same device, same inode). */
    public boolean isPresent() {
        try {
            return fileKey.equals(
                    Files.readAttributes(slot, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                            .fileKey());
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The device as "major:minor", the way /sys/dev/block names it (glibc's encoding of st_dev).
     */
    public String deviceNumber() {
        long major = (device >>> 8 & 0xfffL) | (device >>> 32 & 0xfffff000L);
        long minor = (device & 0xffL) | (device >>> 12 & 0xffffff00L);
        return major + ":" + minor;
    }

    /** Throws USB_REMOVED when the slot no longer holds this filesystem. */
    public void requirePresent(String doing) {
        if (!isPresent()) {
            throw removed(doing);
        }
    }

    /**
     * The thorough check before COMPLETED: also the same mount in the kernel's table, so a stick
     * pulled and another one mounted from the same device in between is not taken for the leased
     * one.
     */
    public void requireStillMounted(String doing) {
        requirePresent(doing);
        if (isMount()) {
            try {
                if (MountTable.mountedOn(realPath).map(MountTable.Mount::id).orElse(-1)
                        != mountId) {
                    throw removed(doing);
                }
            } catch (IOException e) {
                throw new JobFailure(ErrorCode.IO_ERROR, "Cannot read the mount table: " + e, e);
            }
        }
    }

    /**
     * Whether a file or folder lies on this filesystem, not on the disk under an empty mount point.
     */
    public boolean holds(Path path) {
        try {
            return device(path) == device;
        } catch (IOException e) {
            return false;
        }
    }

    public JobFailure removed(String doing) {
        return new JobFailure(
                ErrorCode.USB_REMOVED,
                "The stick in "
                        + slot
                        + " ("
                        + describe()
                        + ") was removed "
                        + doing
                        + ": the slot no longer holds that filesystem");
    }

    static long device(Path path) throws IOException {
        return ((Number) Files.getAttribute(path, "unix:dev", LinkOption.NOFOLLOW_LINKS))
                .longValue();
    }
}
