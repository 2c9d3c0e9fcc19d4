package shop.usb.pipeline.job;

import java.time.Instant;

/**
 * A job this instance has just moved to PROCESSING: the run that owns it, the confirmation it was
 * created from and the mount an earlier attempt wrote to, if any.
 */
public record ClaimedJob(
        JobRun run,
        String orderId,
        String priority,
        String orderJson,
        int attempts,
        Instant startedAt,
        String previousMount) {

    public String id() {
        return run.jobId();
    }
}
