package shop.usb.pipeline.job;

/** A job as the API shows it. Timestamps are ISO-8601 in UTC. */
public record JobView(
        String id,
        String orderId,
        String status,
        String stage,
        int progress,
        String priority,
        int attempts,
        String usbMount,
        Long bytesPlanned,
        Integer filesPlanned,
        long bytesWritten,
        int filesWritten,
        String errorCode,
        String errorMessage,
        Boolean errorRecoverable,
        String createdAt,
        String startedAt,
        String completedAt,
        String updatedAt,
        Long durationMs,
        /** How the last verification read the stick back: "direct" (O_DIRECT) or "cached"; null before. */
        String verifiedBy) {
}
