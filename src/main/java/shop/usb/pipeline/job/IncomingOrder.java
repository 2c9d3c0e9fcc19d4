package shop.usb.pipeline.job;

/**
 * An order confirmation to record as a QUEUED job: its id, priority label (low, normal, high), its
 * customer's name as search matches it (may be null), and the confirmation as it came.
 */
public record IncomingOrder(
        String orderId, String priority, String customerKey, String orderJson) {}
