-- Refused when an operator asked the job to stop: the cancel wins over a retry. A stick's fault gives the
-- attempt back (refund 1).
UPDATE processing_jobs
   SET status = :status, run_token = NULL, attempts = attempts - CAST(:refund AS INTEGER), error_code = :errorCode, error_message = :errorMessage,
       error_recoverable = TRUE, updated_at = CURRENT_TIMESTAMP,
       next_attempt_at = CURRENT_TIMESTAMP + CAST(:delayMs AS BIGINT) * INTERVAL '0.001' SECOND
 WHERE id = :id AND status IN (:from) AND run_token = :runToken AND cancel_requested = FALSE
