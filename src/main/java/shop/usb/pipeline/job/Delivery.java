package shop.usb.pipeline.job;

/**
 * The delivery record written with COMPLETED: which slot and which stick took the order, how it was
 * verified, the SHA-256 of its MANIFEST.sha256 and the volume label the product set (null for
 * none), so a stick a customer brings back can be found.
 */
public record Delivery(
        String slot,
        String stickId,
        String stickSerial,
        Long stickSizeBytes,
        String stickFsType,
        String stickLabel,
        String verifiedBy,
        String manifestSha256,
        String volumeLabel) {}
