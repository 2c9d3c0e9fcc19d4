INSERT INTO processing_job_logs (job_id, run_token, logged_at, log_level, stage, message, error_code)
VALUES (:jobId, :run, :now, :level, :stage, :message, :errorCode)
