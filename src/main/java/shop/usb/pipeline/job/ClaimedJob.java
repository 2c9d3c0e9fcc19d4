package shop.usb.pipeline.job;

import java.time.Instant;

/**
 * A job this instance has just moved to PROCESSING: the run that owns it and the confirmation it
 * was created from.
 */
public record ClaimedJob(
        JobRun run,
        String orderId,
        String priority,
        String orderJson,
        int attempts,
        Instant startedAt) {

    public String id() {
        return run.jobId();
    }
}
