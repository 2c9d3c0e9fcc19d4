package shop.usb.pipeline.device;

import java.util.Optional;

/**
 * Whether a port's stick is formatted just before its order is written ({@code
 * pipeline.usb.format}), as duplicators do, and with which filesystem: FAT32 up to 32 GiB and exFAT
 * above with {@code auto}. Formatting guarantees a blank stick with the order's label.
 */
public enum StickFormat {
    KEEP,
    VFAT,
    EXFAT,
    AUTO;

    /** FAT32 is made for sticks up to this size; larger ones get exFAT. */
    static final long FAT32_UP_TO = 32L * 1024 * 1024 * 1024;

    /** The MBR partition type of a filesystem: c for FAT32 (LBA), 7 for exFAT, 83 otherwise. */
    static String partitionTypeOf(String fsType) {
        return switch (fsType) {
            case "vfat" -> "c";
            case "exfat" -> "7";
            default -> "83";
        };
    }

    /** The filesystem a stick of this size gets; empty to keep the one it has. */
    public Optional<String> filesystemFor(long sizeBytes) {
        return switch (this) {
            case KEEP -> Optional.empty();
            case VFAT -> Optional.of("vfat");
            case EXFAT -> Optional.of("exfat");
            case AUTO -> Optional.of(sizeBytes <= FAT32_UP_TO ? "vfat" : "exfat");
        };
    }
}
