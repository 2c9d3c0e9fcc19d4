UPDATE bulk_operations
   SET status = 'DONE', finished_at = CURRENT_TIMESTAMP, heartbeat_at = CURRENT_TIMESTAMP
 WHERE id = :id AND run_token = :token AND status = 'RUNNING'
