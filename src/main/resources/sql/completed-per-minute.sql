-- Jobs completed per minute over the last :minutes minutes; a minute is numbered by seconds since the
-- epoch / 60, so buckets line up with the database's clock (database-time.sql).
SELECT FLOOR(EXTRACT(EPOCH FROM completed_at) / 60) AS epoch_minute, COUNT(*) AS jobs
  FROM processing_jobs
 WHERE status = 'COMPLETED'
   AND completed_at >= CURRENT_TIMESTAMP - CAST(:minutes AS BIGINT) * INTERVAL '1' MINUTE
 GROUP BY FLOOR(EXTRACT(EPOCH FROM completed_at) / 60)
