-- The figures health and the queue view are judged by; each count uses an index on status. Times are
-- the database's, like the ones they are compared with.
SELECT
  (SELECT COUNT(*) FROM processing_jobs WHERE status = 'COMPLETED' AND completed_at >= CURRENT_TIMESTAMP - INTERVAL '1' HOUR) AS completed_last_hour,
  (SELECT COUNT(*) FROM processing_jobs WHERE status = 'FAILED' AND completed_at >= CURRENT_TIMESTAMP - INTERVAL '1' HOUR) AS failed_last_hour,
  (SELECT COUNT(*) FROM processing_jobs WHERE status = 'COMPLETED' AND completed_at >= CURRENT_TIMESTAMP - INTERVAL '1' DAY) AS completed_last_day,
  (SELECT COUNT(*) FROM processing_jobs WHERE status = 'PROCESSING'
      AND heartbeat_at < CURRENT_TIMESTAMP - CAST(:stalledAfterMs AS BIGINT) * INTERVAL '0.001' SECOND) AS stalled,
  (SELECT MIN(created_at) FROM processing_jobs WHERE status = 'QUEUED') AS oldest_queued_at
