-- A job's log lines written after line :after (0: all of them), in the order they happened.
SELECT id, run_token, logged_at, log_level, stage, message, error_code
  FROM processing_job_logs
 WHERE job_id = :jobId AND id > :after
 ORDER BY logged_at, id
