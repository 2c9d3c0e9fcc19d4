-- Jobs that failed for good or wait for a retry, by the error that stopped them.
SELECT error_code, status, COUNT(*) AS jobs
  FROM processing_jobs
 WHERE status IN ('FAILED', 'RETRYING') AND error_code IS NOT NULL
 GROUP BY error_code, status
