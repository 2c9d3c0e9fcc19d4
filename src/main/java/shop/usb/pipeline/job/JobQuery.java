package shop.usb.pipeline.job;

import java.time.Instant;

/**
 * Which jobs a list shows: each filter is optional; {@code stick} is a stick's id or USB serial (a
 * customer brought a stick back); {@code text} a search by business key (order id or customer name
 * by prefix, stick, error code, words of the error message); {@code after} is the cursor of the
 * page before.
 */
public record JobQuery(
        String orderId,
        JobStatus status,
        String priority,
        String errorCode,
        String stick,
        String text,
        Instant createdFrom,
        Instant createdTo,
        JobCursor after,
        int limit) {}
