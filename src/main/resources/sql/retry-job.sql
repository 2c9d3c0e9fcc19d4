-- Refused when an operator asked the job to stop: the cancel wins over a retry.
UPDATE processing_jobs
   SET status = :status, run_token = NULL, error_code = :errorCode, error_message = :errorMessage,
       error_recoverable = TRUE, updated_at = CURRENT_TIMESTAMP,
       next_attempt_at = CURRENT_TIMESTAMP + CAST(:delayMs AS BIGINT) * INTERVAL '0.001' SECOND
 WHERE id = :id AND status IN (:from) AND run_token = :runToken AND cancel_requested = FALSE
