-- One bounded batch; the jobs' log lines go with them (ON DELETE CASCADE).
DELETE FROM processing_jobs
 WHERE id IN (SELECT id FROM processing_jobs
               WHERE status IN ('COMPLETED', 'CANCELLED') AND completed_at < :before
               ORDER BY completed_at
               LIMIT :batchSize)
