-- Parked webhook posts, the most recent first, for the dashboard.
SELECT id, order_id, event_type, sequence, occurred_at, webhook_attempts, webhook_parked_at, webhook_error
  FROM status_events
 WHERE webhook_parked_at IS NOT NULL
 ORDER BY webhook_parked_at DESC, position DESC
 LIMIT :limit
