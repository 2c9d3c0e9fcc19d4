-- The figures health and the queue view are judged by; each count uses an index on status.
SELECT
  (SELECT COUNT(*) FROM processing_jobs WHERE status = 'COMPLETED' AND completed_at >= :hourAgo) AS completed_last_hour,
  (SELECT COUNT(*) FROM processing_jobs WHERE status = 'FAILED' AND completed_at >= :hourAgo) AS failed_last_hour,
  (SELECT COUNT(*) FROM processing_jobs WHERE status = 'COMPLETED' AND completed_at >= :dayAgo) AS completed_last_day,
  (SELECT COUNT(*) FROM processing_jobs WHERE status = 'PROCESSING' AND heartbeat_at < :stalledBefore) AS stalled,
  (SELECT MIN(created_at) FROM processing_jobs WHERE status = 'QUEUED') AS oldest_queued_at
