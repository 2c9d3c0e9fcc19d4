package shop.usb.pipeline.job;

import java.time.Instant;

/** A job this instance has just moved to PROCESSING, with the confirmation it was created from. */
public record ClaimedJob(String id, String orderId, String orderJson, int attempts, Instant startedAt) {
}
