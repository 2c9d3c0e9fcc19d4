-- A failed post: posted again after :delayMs by the database's clock.
UPDATE status_events
   SET webhook_due_at = CURRENT_TIMESTAMP + CAST(:delayMs AS BIGINT) * INTERVAL '0.001' SECOND,
       webhook_attempts = webhook_attempts + 1, webhook_error = :error
 WHERE id = :id
