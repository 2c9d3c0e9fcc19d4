-- What the station saw in a slot. Guarded on the state and the job it read, so a run that took the stick
-- meanwhile wins, and a delivered order is let go only by what saw it.
UPDATE usb_slots
   SET state = :state, stick_faults = CASE WHEN stick_id = :stickId THEN stick_faults ELSE 0 END, stick_id = :stickId, stick_serial = :stickSerial, stick_size_bytes = :stickSizeBytes,
       stick_fs_type = :stickFsType, stick_label = :stickLabel, stick_device = :stickDevice, job_id = :jobId, order_id = :orderId,
       order_label = :orderLabel, problem = :problem, updated_at = CURRENT_TIMESTAMP
 WHERE station = :station AND slot = :slot AND state = :expectedState
   AND COALESCE(job_id, '') = COALESCE(CAST(:expectedJob AS VARCHAR(36)), '')
