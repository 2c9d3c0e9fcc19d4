-- Guarded on the heartbeat that was read: when several instances sweep at once, one wins.
UPDATE processing_jobs
   SET status = :status, error_code = :errorCode, error_message = :errorMessage, error_recoverable = :recoverable,
       next_attempt_at = :nextAttemptAt, completed_at = :completedAt, updated_at = :now
 WHERE id = :id AND status = 'PROCESSING' AND heartbeat_at = :heartbeatAt
