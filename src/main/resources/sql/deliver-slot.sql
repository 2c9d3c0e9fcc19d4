-- The stick holds the job's verified order: it takes no other until it is removed or released.
UPDATE usb_slots SET state = 'DONE', problem = NULL, stick_faults = 0, updated_at = CURRENT_TIMESTAMP
 WHERE station = :station AND slot = :slot AND state = 'WRITING' AND job_id = :jobId
