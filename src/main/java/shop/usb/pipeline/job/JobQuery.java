package shop.usb.pipeline.job;

import java.time.Instant;

/** Which jobs a list shows: each filter is optional; {@code after} is the cursor of the page before. */
public record JobQuery(String orderId, JobStatus status, String priority, Instant createdFrom, Instant createdTo,
        JobCursor after, int limit) {
}
