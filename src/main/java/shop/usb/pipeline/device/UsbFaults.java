package shop.usb.pipeline.device;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;

/** Names what went wrong with a mount, so each fault gets its own recoverable error code. */
public final class UsbFaults {

    private UsbFaults() {}

    /** A failed write or read on a leased slot; first of all, is the stick still there? */
    public static JobFailure classify(SlotFilesystem slot, String action, IOException e) {
        if (!slot.isPresent()) {
            return slot.removed(action.toLowerCase(Locale.ROOT) + " (" + e + ")");
        }
        return classify(slot.slot(), action, e);
    }

    public static JobFailure classify(Path mount, String action, IOException e) {
        String reason =
                e instanceof FileSystemException fse && fse.getReason() != null
                        ? fse.getReason()
                        : e.toString();
        String message = action + " on " + mount + " failed: " + reason;
        if (!Files.isDirectory(mount) || e instanceof NoSuchFileException) {
            return new JobFailure(ErrorCode.USB_UNAVAILABLE, message, e);
        }
        if (reason.contains("No space left on device") || reason.contains("Disk quota exceeded")) {
            return new JobFailure(ErrorCode.USB_FULL, message, e);
        }
        if (reason.contains("Input/output error") && onTheStick(mount, e)) {
            return new JobFailure(ErrorCode.USB_IO_ERROR, message, e);
        }
        if (reason.contains("Read-only file system") || e instanceof AccessDeniedException) {
            return new JobFailure(ErrorCode.USB_READ_ONLY, message, e);
        }
        return new JobFailure(ErrorCode.IO_ERROR, message, e);
    }

    /**
     * Whether the failure names a file on the stick: an I/O error in reading the library (or one a
     * kernel copy cannot place) is not the stick's.
     */
    private static boolean onTheStick(Path mount, IOException e) {
        return e instanceof FileSystemException fse
                && fse.getFile() != null
                && Path.of(fse.getFile())
                        .toAbsolutePath()
                        .normalize()
                        .startsWith(mount.toAbsolutePath().normalize());
    }

    /** Why a mount cannot take a write of this size right now, or null when it can. */
    public static JobFailure unusable(Path mount, long bytesNeeded) {
        if (!Files.isDirectory(mount)) {
            return new JobFailure(
                    ErrorCode.USB_UNAVAILABLE, mount + " is not mounted (no such folder)");
        }
        try {
            if (!Files.isWritable(mount) || Files.getFileStore(mount).isReadOnly()) {
                return new JobFailure(ErrorCode.USB_READ_ONLY, mount + " is read-only");
            }
            FileStore store = Files.getFileStore(mount);
            if (store.getTotalSpace() == 0) {
                // The driver tells no sizes (fusefat): a full stick shows as USB_FULL on the write.
                return null;
            }
            long usable = store.getUsableSpace();
            if (usable < bytesNeeded) {
                return new JobFailure(
                        ErrorCode.USB_FULL,
                        mount + " has " + usable + " bytes free, the job needs " + bytesNeeded);
            }
            return null;
        } catch (IOException e) {
            return classify(mount, "Checking free space", e);
        }
    }
}
