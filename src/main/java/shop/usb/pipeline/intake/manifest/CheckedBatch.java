package shop.usb.pipeline.intake.manifest;

import java.util.List;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.IncomingOrder;

/**
 * A manifest batch as {@link ManifestIntake#check} left it: the orders that may become jobs, and
 * the job messages its QUEUED duplicates get again.
 */
public record CheckedBatch(List<Candidate> acceptable, List<FollowUp> resent) {

    /** An order that may become a job, with the line it came from. */
    public record Candidate(ManifestEntry entry, IncomingOrder order) {

        String orderId() {
            return order.orderId();
        }
    }
}
