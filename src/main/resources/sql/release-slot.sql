-- The operator swapped the stick: whatever is in the slot now is looked at as a new stick. With a
-- :deliveredJob, only while the slot still holds that job's delivered order (its hand-over); without,
-- only while it holds no delivered order (one delivered meanwhile is released with its hand-over).
UPDATE usb_slots
   SET state = 'EMPTY', stick_id = NULL, stick_serial = NULL, stick_size_bytes = NULL, stick_fs_type = NULL,
       stick_label = NULL, stick_device = NULL, job_id = NULL, order_id = NULL, order_label = NULL, problem = NULL,
       updated_at = CURRENT_TIMESTAMP
 WHERE station = :station AND slot = :slot AND state <> 'WRITING'
   AND (CAST(:deliveredJob AS VARCHAR(36)) IS NULL AND state <> 'DONE'
        OR state = 'DONE' AND job_id = :deliveredJob)
