package shop.usb.pipeline.device;

import java.util.List;
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

    /** The MBR partition type of the filesystem made: c for FAT32 (LBA), 7 for exFAT. */
    static String partitionTypeOf(String fsType) {
        return fsType.equals("vfat") ? "c" : "7";
    }

    /** Every filesystem this setting may make. */
    List<String> filesystemsMade() {
        return switch (this) {
            case KEEP -> List.of();
            case VFAT -> List.of("vfat");
            case EXFAT -> List.of("exfat");
            case AUTO -> List.of("vfat", "exfat");
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
