package shop.usb.pipeline.device;

import java.nio.file.Path;

/**
 * A stick's filesystem as the device itself tells it ({@code blkid -p} reads the superblock; sysfs
 * gives the size, the USB serial and the insertion's sequence number), never as a mount table names
 * it: an exFAT stick under exfat-fuse is "fuseblk" there.
 *
 * @param device the block device holding the filesystem: the stick's one partition, or the whole
 *     stick when it has no partition table (a "superfloppy")
 * @param disk the whole stick
 * @param fsType the filesystem's type (vfat, exfat, ext4), or null for none
 * @param uuid the filesystem's UUID or volume serial from its superblock, or null
 * @param sizeBytes the whole stick's size
 * @param serial the USB serial where sysfs has one, or null
 * @param insertion the kernel's sequence number of this attachment of the disk (a new one each time
 *     a stick is plugged in), or -1 where the kernel has none
 * @param unreadable why the device could not be read (then nothing is known of its filesystem), or
 *     null
 */
public record BlockDevice(
        Path device,
        Path disk,
        String fsType,
        String uuid,
        String label,
        long sizeBytes,
        String serial,
        long insertion,
        String unreadable) {

    public boolean hasFilesystem() {
        return fsType != null && !fsType.isBlank();
    }

    /** What names this stick: its filesystem's UUID, else this insertion of its device. */
    public String identity() {
        return uuid != null ? uuid : "device " + device + " (insertion " + insertion + ")";
    }
}
