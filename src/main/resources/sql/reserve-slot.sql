-- The READY stick is kept for the waiting job it fits until that job's run takes it.
UPDATE usb_slots SET state = 'WRITING', job_id = :jobId, order_id = :orderId, updated_at = CURRENT_TIMESTAMP
 WHERE station = :station AND slot = :slot AND state = 'READY' AND stick_id = :stickId
