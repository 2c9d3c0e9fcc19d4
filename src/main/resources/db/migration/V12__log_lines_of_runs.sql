-- Which run wrote a log line (its short token; null for intake, operators and recovery), so a job's
-- timeline can tell its attempts apart.
ALTER TABLE processing_job_logs ADD COLUMN run_token VARCHAR(16);
