-- In the batch's transaction: its counts and cursor, if the run still holds the operation.
UPDATE bulk_operations
   SET processed = processed + :processed, changed = changed + :changed,
       cursor_created_at = :cursorAt, cursor_id = :cursorId, heartbeat_at = :now
 WHERE id = :id AND run_token = :token AND status = 'RUNNING'
