-- One bounded batch (camel-sql, the job-retention route); the jobs' log lines go with them (ON DELETE
-- CASCADE), their order receipts stay. The outer DELETE checks status and age again: a job retried
-- since the inner SELECT read it stays. A lease names its own files, so no lease needs the job row.
DELETE FROM processing_jobs
 WHERE id IN (SELECT id FROM processing_jobs
               WHERE status IN ('COMPLETED', 'CANCELLED') AND completed_at < :#before
               ORDER BY completed_at
               LIMIT :#batchSize)
   AND status IN ('COMPLETED', 'CANCELLED') AND completed_at < :#before
