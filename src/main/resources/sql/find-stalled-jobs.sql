SELECT * FROM processing_jobs WHERE status = 'PROCESSING' AND heartbeat_at < :stalledBefore ORDER BY heartbeat_at LIMIT 100
