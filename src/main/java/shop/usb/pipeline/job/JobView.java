package shop.usb.pipeline.job;

import java.util.List;

/** A job as the API shows it. Timestamps are ISO-8601 in UTC. */
public record JobView(
        String id,
        String orderId,
        JobStatus status,
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
        /**
         * How the last verification read the stick back: "direct" (O_DIRECT) or "cached"; null
         * before.
         */
        String verifiedBy,
        /** The station slot that took the job, once it completed. */
        String slot,
        /**
         * The stick that holds the order: its id (filesystem UUID or device), serial, size, type,
         * label.
         */
        StickRecord stick,
        /** SHA-256 of the MANIFEST.sha256 written with the order. */
        String manifestSha256,
        /** While WAITING: the stick it waits for ("a 16 GB stick"). */
        String waitingFor,
        /**
         * The volume label the product gave the stick (pipeline.usb.set-label); null when it set
         * none.
         */
        String volumeLabel,
        /**
         * When the returned stick was last read back again (POST /api/jobs/{id}/reverify), and what
         * that found.
         */
        String reverifiedAt,
        String reverifyResult,
        /** What an operator may do to it now (JobAction): the dashboard shows these buttons. */
        List<JobAction> actions) {

    public record StickRecord(
            String id, String serial, Long sizeBytes, String fsType, String label) {}
}
