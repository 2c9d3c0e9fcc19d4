UPDATE processing_jobs
   SET status = 'CANCELLED', completed_at = :now, updated_at = :now, next_attempt_at = NULL
 WHERE id = :id AND status IN ('QUEUED', 'RETRYING')
