package shop.usb.pipeline.device;

import java.nio.file.Path;

/** A place of the station a stick (or a folder standing in) sits in: its name, and its folder. */
public record Slot(String name, Path path) {

    /** A configured slot is named by the last element of its path (slot-1). */
    public static Slot of(Path path) {
        return new Slot(path.getFileName().toString(), path);
    }
}
