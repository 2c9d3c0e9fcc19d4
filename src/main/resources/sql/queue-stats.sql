SELECT status, COUNT(*) AS jobs, AVG(duration_ms) AS avg_duration_ms, MIN(created_at) AS oldest_created_at
  FROM processing_jobs
 GROUP BY status
