INSERT INTO processing_job_logs (job_id, logged_at, log_level, stage, message, error_code)
VALUES (:jobId, :now, :level, :stage, :message, :errorCode)
