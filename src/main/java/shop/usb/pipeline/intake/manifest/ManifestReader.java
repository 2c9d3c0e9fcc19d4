package shop.usb.pipeline.intake.manifest;

import java.io.Closeable;

/** Reads a manifest one order at a time, so a file of any length needs memory for one line only. */
interface ManifestReader extends Closeable {

    /**
     * The next order, or null at the end; throws {@link ManifestUnreadableException} when the rest
     * cannot be read.
     */
    ManifestEntry read();
}
