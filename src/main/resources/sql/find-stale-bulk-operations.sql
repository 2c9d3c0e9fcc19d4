-- Operations still RUNNING whose run has not recorded a batch since :staleBefore: their instance
-- stopped, or lost the database, in the middle.
SELECT id, run_token FROM bulk_operations
 WHERE status = 'RUNNING' AND heartbeat_at < :staleBefore
 ORDER BY created_at
