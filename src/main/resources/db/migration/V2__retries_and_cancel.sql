-- When a waiting job is due to run (RETRYING after backoff, QUEUED after a manual retry), and
-- whether an operator asked a PROCESSING job to stop at its next checkpoint.
ALTER TABLE processing_jobs ADD COLUMN next_attempt_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE processing_jobs ADD COLUMN cancel_requested BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX processing_jobs_status_heartbeat ON processing_jobs (status, heartbeat_at);
