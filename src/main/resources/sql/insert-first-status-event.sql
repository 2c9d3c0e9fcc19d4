-- An order's first event (accepted), written with its receipt (insert-order-receipt), which holds its
-- number, 1: no numbering statement, and a batch of them is one multi-row insert.
INSERT INTO status_events (id, order_id, job_id, sequence, event_type, source, occurred_at, data)
VALUES (:id, :orderId, :jobId, 1, :type, :source, :occurredAt, :data)
