-- Ends a run nobody is doing any more. Guarded on the run that was read and on its heartbeat being
-- old by the database's clock now: a run that beat meanwhile, or another sweeper, wins.
UPDATE processing_jobs
   SET status = :status, run_token = NULL, attempts = attempts - CAST(:refund AS INTEGER),
       error_code = :errorCode, error_message = :errorMessage,
       error_recoverable = :recoverable, updated_at = CURRENT_TIMESTAMP,
       next_attempt_at = CURRENT_TIMESTAMP + CAST(:delayMs AS BIGINT) * INTERVAL '0.001' SECOND,
       completed_at = CASE WHEN CAST(:ended AS BOOLEAN) THEN CURRENT_TIMESTAMP END
 WHERE id = :id AND status IN (:from) AND run_token = :runToken
   AND heartbeat_at < CURRENT_TIMESTAMP - CAST(:stalledAfterMs AS BIGINT) * INTERVAL '0.001' SECOND
