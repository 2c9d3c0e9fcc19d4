-- A manual retry starts the job's attempt budget afresh; its log keeps the earlier attempts.
UPDATE processing_jobs
   SET status = :status, attempts = 0, progress = 0, stage = :stage, next_attempt_at = CURRENT_TIMESTAMP,
       error_code = NULL, error_message = NULL, error_recoverable = NULL, cancel_requested = FALSE,
       verified_by = NULL, completed_at = NULL, duration_ms = NULL, updated_at = CURRENT_TIMESTAMP
 WHERE id = :id AND status IN (:from) AND run_token IS NULL
