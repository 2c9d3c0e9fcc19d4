UPDATE processing_jobs SET cancel_requested = TRUE, updated_at = :now
 WHERE id = :id AND status = 'PROCESSING'
