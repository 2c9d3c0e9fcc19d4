package shop.usb.pipeline.lease;

import java.nio.file.Path;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.job.JobRun;

/**
 * The record of everything a run may leave on a slot, written before its first byte lands there:
 * its job and run, its slot and the stick the slot held, its staging folder, the order folder, and
 * whether it published that folder.
 *
 * @param stickId the identity of the stick the slot held when the run leased it
 * @param published whether the run named (or was about to name) its order folder
 */
public record Lease(
        String station,
        String slot,
        Path mount,
        JobRun run,
        String stickId,
        Path stagingFolder,
        Path orderFolder,
        boolean published) {

    private static final String PART_SUFFIX = ".part";

    /** The folder a job's order ends up in; the order id was validated to be a plain name. */
    public static Path orderFolder(Path mount, String orderId) {
        Path folder = mount.resolve(orderId).normalize();
        if (!folder.getParent().equals(mount.normalize())) {
            throw new JobFailure(
                    ErrorCode.INVALID_ORDER, "orderId '" + orderId + "' does not name a folder");
        }
        return folder;
    }

    /** Where one run writes the order before it is complete: named by the run's token. */
    public static Path stagingFolder(Path mount, String orderId, String runToken) {
        return orderFolder(mount, orderId)
                .resolveSibling("." + orderId + "." + runToken + PART_SUFFIX);
    }

    /** Where the run writes: its staging folder, or the order folder where it writes in place. */
    public Path writeFolder() {
        return stagingFolder != null ? stagingFolder : orderFolder;
    }

    /** The order the run writes (the order folder's name); null for a lease that names none. */
    public String orderId() {
        return orderFolder == null ? null : orderFolder.getFileName().toString();
    }

    Lease publishing() {
        return new Lease(station, slot, mount, run, stickId, stagingFolder, orderFolder, true);
    }

    @Override
    public String toString() {
        return "lease of " + run + " on " + mount + (published ? " (published)" : "");
    }
}
