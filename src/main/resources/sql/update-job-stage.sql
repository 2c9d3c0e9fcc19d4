UPDATE processing_jobs
   SET stage = :stage, progress = :progress, updated_at = CURRENT_TIMESTAMP
 WHERE id = :id AND run_token = :runToken AND cancel_requested = FALSE
