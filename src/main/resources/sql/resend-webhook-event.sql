-- An operator re-sends a parked post: due now, with a fresh backoff.
UPDATE status_events
   SET webhook_due_at = CURRENT_TIMESTAMP, webhook_attempts = 0, webhook_parked_at = NULL
 WHERE id = :id AND webhook_parked_at IS NOT NULL
