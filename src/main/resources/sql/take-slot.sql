-- A READY stick (or one this job already holds) is taken by the run that owns the job.
UPDATE usb_slots
   SET state = 'WRITING', job_id = :jobId, order_id = :orderId, order_label = :orderLabel, problem = NULL,
       updated_at = CURRENT_TIMESTAMP
 WHERE station = :station AND slot = :slot AND stick_id = :stickId
   AND (state = 'READY' OR (state = 'WRITING' AND job_id = :jobId))
   AND EXISTS (SELECT 1 FROM processing_jobs WHERE id = :jobId AND run_token = :runToken)
