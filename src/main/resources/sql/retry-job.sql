UPDATE processing_jobs
   SET status = 'RETRYING', error_code = :errorCode, error_message = :errorMessage,
       error_recoverable = TRUE, next_attempt_at = :nextAttemptAt, updated_at = :now
 WHERE id = :id AND status IN (:from) AND cancel_requested = FALSE
