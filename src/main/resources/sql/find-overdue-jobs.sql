-- Waiting jobs whose job message should have run them long ago (lost between a commit and a send).
SELECT id FROM processing_jobs
 WHERE status IN ('QUEUED', 'RETRYING') AND next_attempt_at < :overdueBefore
 ORDER BY next_attempt_at LIMIT 100
