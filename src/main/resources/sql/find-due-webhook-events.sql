-- The webhook's poll (camel-sql consumer, at most maxMessagesPerPoll rows): events due to be posted,
-- the oldest first.
SELECT position, id, order_id, sequence, event_type, source, occurred_at, data, webhook_attempts
  FROM status_events
 WHERE webhook_due_at <= CURRENT_TIMESTAMP
 ORDER BY webhook_due_at, position
