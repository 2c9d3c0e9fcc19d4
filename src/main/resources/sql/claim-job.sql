-- A job no run owns gets a new run: its token guards every write of that run. A message that arrives
-- before the job's due time by the database's clock (a redelivery) does not claim it. The run enters
-- its first stage with its claim (:stage, :progress).
UPDATE processing_jobs
   SET status = :status, run_token = :newRunToken, attempts = attempts + 1, owner_instance = :owner,
       stage = :stage, progress = :progress,
       heartbeat_at = CURRENT_TIMESTAMP, started_at = COALESCE(started_at, CURRENT_TIMESTAMP),
       updated_at = CURRENT_TIMESTAMP, next_attempt_at = NULL, verified_by = NULL,
       error_code = NULL, error_message = NULL, error_recoverable = NULL
 WHERE id = :id AND status IN (:from) AND run_token IS NULL
   AND (next_attempt_at IS NULL
        OR next_attempt_at <= CURRENT_TIMESTAMP + CAST(:toleranceMs AS BIGINT) * INTERVAL '0.001' SECOND)
