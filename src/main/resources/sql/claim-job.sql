UPDATE processing_jobs
   SET status = 'PROCESSING', attempts = attempts + 1, owner_instance = :owner, heartbeat_at = :now,
       started_at = COALESCE(started_at, :now), updated_at = :now,
       error_code = NULL, error_message = NULL, error_recoverable = NULL
 WHERE id = :id AND status IN (:from)
