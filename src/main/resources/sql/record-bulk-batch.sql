-- Last in the batch's transaction, under the lock hold-bulk-operation took: its counts and cursor.
UPDATE bulk_operations
   SET processed = processed + :processed, changed = changed + :changed,
       cursor_created_at = :cursorAt, cursor_id = :cursorId, heartbeat_at = CURRENT_TIMESTAMP
 WHERE id = :id AND run_token = :token AND status = 'RUNNING'
