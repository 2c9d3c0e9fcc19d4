package shop.usb.pipeline.transfer;

import java.util.Locale;

/** How verification read a stick back: past the page cache from the device, or through it. */
public enum VerifiedBy {
    /**
     * O_DIRECT: the bytes came from the device, not from what the kernel still holds of the write.
     */
    DIRECT,
    /**
     * The filesystem refuses O_DIRECT (tmpfs, some FUSE filesystems): read through the page cache.
     */
    CACHED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
