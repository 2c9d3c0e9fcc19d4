UPDATE processing_jobs
   SET status = :status, run_token = NULL, completed_at = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP,
       cancel_requested = FALSE
 WHERE id = :id AND status IN (:from) AND run_token = :runToken
