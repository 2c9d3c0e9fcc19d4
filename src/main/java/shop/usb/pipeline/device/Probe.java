package shop.usb.pipeline.device;

import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;

/**
 * What a slot holds now: a filesystem, or nothing and why. Callers that cannot go on without one
 * ask for it with {@link #require}.
 *
 * @param filesystem the filesystem the slot holds; null when it holds none
 * @param absentBecause why the slot holds none; null when it holds one
 */
public record Probe(SlotFilesystem filesystem, String absentBecause) {

    static Probe holding(SlotFilesystem filesystem) {
        return new Probe(filesystem, null);
    }

    static Probe empty(String because) {
        return new Probe(null, because);
    }

    public boolean holdsFilesystem() {
        return filesystem != null;
    }

    /** The filesystem; a recoverable USB_UNAVAILABLE naming why when the slot holds none. */
    public SlotFilesystem require() {
        if (filesystem == null) {
            throw new JobFailure(ErrorCode.USB_UNAVAILABLE, absentBecause);
        }
        return filesystem;
    }
}
