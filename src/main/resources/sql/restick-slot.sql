-- The run formatted the stick it took: the slot shows the stick as it is now.
UPDATE usb_slots
   SET stick_id = :stickId, stick_fs_type = :stickFsType, stick_label = :stickLabel, stick_device = :stickDevice,
       updated_at = CURRENT_TIMESTAMP
 WHERE station = :station AND slot = :slot AND state = 'WRITING' AND job_id = :jobId
   AND EXISTS (SELECT 1 FROM processing_jobs WHERE id = :jobId AND run_token = :runToken)
