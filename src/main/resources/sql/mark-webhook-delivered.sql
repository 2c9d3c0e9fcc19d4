-- The receiver took the event (2xx).
UPDATE status_events
   SET webhook_due_at = NULL, webhook_attempts = webhook_attempts + 1, webhook_delivered_at = CURRENT_TIMESTAMP,
       webhook_error = NULL
 WHERE id = :id
