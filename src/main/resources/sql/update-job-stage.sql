UPDATE processing_jobs
   SET stage = :stage, progress = :progress, heartbeat_at = :now, updated_at = :now
 WHERE id = :id AND status = 'PROCESSING' AND cancel_requested = FALSE
