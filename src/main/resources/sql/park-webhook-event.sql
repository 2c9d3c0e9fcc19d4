-- Failed for hours: parked until an operator re-sends it.
UPDATE status_events
   SET webhook_due_at = NULL, webhook_attempts = webhook_attempts + 1, webhook_parked_at = CURRENT_TIMESTAMP,
       webhook_error = :error
 WHERE id = :id
