-- One bounded batch (camel-sql, the job-retention route); the jobs' log lines go with them (ON DELETE
-- CASCADE), their order receipts stay. The outer DELETE checks status and age again: a job retried
-- since the inner SELECT read it stays. A job whose run died before freeing its slot's lease stays
-- until a run takes that slot: the job names the run's staging folder there, which goes first.
DELETE FROM processing_jobs
 WHERE id IN (SELECT id FROM processing_jobs
               WHERE status IN ('COMPLETED', 'CANCELLED') AND completed_at < :#before
                 AND NOT EXISTS (SELECT 1 FROM usb_mount_leases l WHERE l.job_id = processing_jobs.id)
               ORDER BY completed_at
               LIMIT :#batchSize)
   AND status IN ('COMPLETED', 'CANCELLED') AND completed_at < :#before
