-- A manual retry starts the job's attempt budget afresh; its log keeps the earlier attempts.
UPDATE processing_jobs
   SET status = 'QUEUED', attempts = 0, progress = 0, stage = :stage, next_attempt_at = :now,
       error_code = NULL, error_message = NULL, error_recoverable = NULL, cancel_requested = FALSE,
       completed_at = NULL, duration_ms = NULL, updated_at = :now
 WHERE id = :id AND status IN (:from)
