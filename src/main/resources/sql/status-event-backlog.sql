-- The outbox's backlog: events not sent yet, and when the oldest of them was written.
SELECT COUNT(*) AS backlog, MIN(occurred_at) AS oldest FROM status_events WHERE sent_at IS NULL
