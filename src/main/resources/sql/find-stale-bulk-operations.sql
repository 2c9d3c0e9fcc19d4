-- Operations still RUNNING whose run has not recorded a batch for :staleAfterMs by the database's
-- clock: their instance stopped, died, or lost the database in the middle.
SELECT id, run_token FROM bulk_operations
 WHERE status = 'RUNNING'
   AND heartbeat_at < CURRENT_TIMESTAMP - CAST(:staleAfterMs AS BIGINT) * INTERVAL '0.001' SECOND
 ORDER BY created_at
