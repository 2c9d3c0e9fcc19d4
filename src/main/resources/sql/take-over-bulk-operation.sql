-- A new run takes a stale operation over, if no other run took it meanwhile.
UPDATE bulk_operations
   SET run_token = :token, heartbeat_at = CURRENT_TIMESTAMP, resumed = resumed + 1
 WHERE id = :id AND run_token = :staleToken AND status = 'RUNNING'
