-- This instance posts the due event: its due time moves past the post's timeouts, so no other instance
-- takes it meanwhile, and it is due again should this one die before noting the outcome.
UPDATE status_events
   SET webhook_due_at = CURRENT_TIMESTAMP + CAST(:claimMs AS BIGINT) * INTERVAL '0.001' SECOND
 WHERE id = :id AND webhook_due_at <= CURRENT_TIMESTAMP
