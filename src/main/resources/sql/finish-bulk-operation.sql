UPDATE bulk_operations
   SET status = 'DONE', finished_at = :now, heartbeat_at = :now
 WHERE id = :id AND run_token = :token AND status = 'RUNNING'
