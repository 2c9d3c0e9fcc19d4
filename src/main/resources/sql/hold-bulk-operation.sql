-- First in a batch's transaction: the run still holds the operation (its row stays locked until the
-- batch commits), before any job of the batch changes.
UPDATE bulk_operations SET heartbeat_at = CURRENT_TIMESTAMP
 WHERE id = :id AND run_token = :token AND status = 'RUNNING'
