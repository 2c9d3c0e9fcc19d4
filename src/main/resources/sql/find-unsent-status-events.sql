-- The relay's poll (camel-sql consumer, at most maxMessagesPerPoll rows): events not sent yet, in the
-- order they were written, so an order's events go out in their sequence.
SELECT position, id, order_id, sequence, event_type, source, occurred_at, data
  FROM status_events
 WHERE sent_at IS NULL
 ORDER BY position
