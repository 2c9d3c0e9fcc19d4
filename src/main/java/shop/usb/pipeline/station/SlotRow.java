package shop.usb.pipeline.station;

import shop.usb.pipeline.device.Stick;

/**
 * A slot's row as the store reads it, with the job it is taken by or kept for (its status, owner
 * and mount) and whether a lease names the slot.
 */
record SlotRow(
        String slot,
        SlotState state,
        String stickId,
        String stickSerial,
        Long stickSizeBytes,
        String stickFsType,
        String stickLabel,
        String stickDevice,
        String jobId,
        String orderId,
        String orderLabel,
        String problem,
        String jobStatus,
        long bytesWritten,
        Long bytesPlanned,
        String jobMount,
        String jobOwner,
        boolean leased) {

    /** The stick as the row recorded it; no size is a folder standing in for a stick. */
    Stick stick() {
        return new Stick(
                stickId,
                stickSerial,
                stickSizeBytes == null ? -1 : stickSizeBytes,
                stickFsType,
                stickLabel,
                stickDevice);
    }
}
