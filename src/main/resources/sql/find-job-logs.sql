SELECT logged_at, log_level, stage, message, error_code
  FROM processing_job_logs
 WHERE job_id = :jobId
 ORDER BY logged_at, id
