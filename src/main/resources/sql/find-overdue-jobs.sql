-- Waiting jobs whose job message should have run them a while ago: the status was committed but the
-- process died before the message was sent (a retry, a recovery, a manual retry).
SELECT id FROM processing_jobs
 WHERE status IN ('QUEUED', 'RETRYING') AND next_attempt_at < :overdueBefore
 ORDER BY next_attempt_at LIMIT 100
