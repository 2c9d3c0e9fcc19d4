UPDATE processing_jobs
   SET status = 'CANCELLED', completed_at = :now, updated_at = :now, cancel_requested = FALSE
 WHERE id = :id AND status = 'PROCESSING'
