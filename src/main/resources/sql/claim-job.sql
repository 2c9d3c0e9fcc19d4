-- A message that arrives before the job's backoff is over (a redelivery) does not claim it; the
-- scheduled one will.
UPDATE processing_jobs
   SET status = 'PROCESSING', attempts = attempts + 1, owner_instance = :owner, heartbeat_at = :now,
       started_at = COALESCE(started_at, :now), updated_at = :now, next_attempt_at = NULL,
       error_code = NULL, error_message = NULL, error_recoverable = NULL
 WHERE id = :id AND status IN (:from) AND (next_attempt_at IS NULL OR next_attempt_at <= :due)
