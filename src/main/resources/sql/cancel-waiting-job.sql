-- Only a job no run owns: a running one is asked to stop instead (request-job-cancel).
UPDATE processing_jobs
   SET status = :status, completed_at = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP, next_attempt_at = NULL
 WHERE id = :id AND status IN (:from) AND run_token IS NULL
