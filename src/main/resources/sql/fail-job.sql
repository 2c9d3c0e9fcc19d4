UPDATE processing_jobs
   SET status = 'FAILED', error_code = :errorCode, error_message = :errorMessage,
       error_recoverable = :recoverable, completed_at = :now, updated_at = :now, duration_ms = :durationMs
 WHERE id = :id AND status IN (:from)
