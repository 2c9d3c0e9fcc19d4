-- The run that owns the job stops at its next checkpoint.
UPDATE processing_jobs SET cancel_requested = TRUE, updated_at = CURRENT_TIMESTAMP
 WHERE id = :id AND run_token IS NOT NULL
