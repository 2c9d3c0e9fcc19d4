-- One row per status and priority, with time in queue and in processing in milliseconds.
SELECT status, priority, COUNT(*) AS jobs,
       SUM(duration_ms) AS duration_ms_sum, COUNT(duration_ms) AS duration_ms_count,
       SUM(EXTRACT(EPOCH FROM (started_at - created_at)) * 1000) AS queue_ms_sum, COUNT(started_at) AS started_count
  FROM processing_jobs
 GROUP BY status, priority
