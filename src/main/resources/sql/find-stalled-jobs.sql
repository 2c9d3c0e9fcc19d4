-- Running jobs whose heartbeat is older than the threshold by the database's clock.
SELECT * FROM processing_jobs
 WHERE status = :status AND heartbeat_at < CURRENT_TIMESTAMP - CAST(:stalledAfterMs AS BIGINT) * INTERVAL '0.001' SECOND
 ORDER BY heartbeat_at LIMIT 100
