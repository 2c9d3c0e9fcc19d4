-- Waiting jobs whose job message should have run them a while ago: the status was committed but the
-- process died before the message was sent (a retry, a recovery, a manual retry).
SELECT id, priority FROM processing_jobs
 WHERE status IN (:waiting)
   AND next_attempt_at < CURRENT_TIMESTAMP - CAST(:overdueAfterMs AS BIGINT) * INTERVAL '0.001' SECOND
 ORDER BY next_attempt_at LIMIT 100
