package shop.usb.pipeline.station;

import java.util.Map;

/**
 * What an order asks of a stick: its id and label (the slot shows them), the size class bought, and
 * the filesystems whose rules it breaks, each with the reason ({@link StickRules}).
 */
public record Demand(
        String orderId, String label, long capacityBytes, Map<String, String> refusedFilesystems) {}
