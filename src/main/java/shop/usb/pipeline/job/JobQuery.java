package shop.usb.pipeline.job;

import java.time.Instant;

/**
 * Which jobs a list shows: each filter is optional; {@code stick} is a stick's id or USB serial (a
 * customer brought a stick back); {@code after} is the cursor of the page before.
 */
public record JobQuery(String orderId, JobStatus status, String priority, String stick, Instant createdFrom,
        Instant createdTo, JobCursor after, int limit) {
}
