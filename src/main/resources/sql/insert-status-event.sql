-- The event, numbered by the receipt of the job's order (next-status-event-sequence, same transaction).
INSERT INTO status_events (id, order_id, job_id, sequence, event_type, source, occurred_at, data)
SELECT :id, order_id, job_id, event_sequence, :type, :source, :occurredAt, :data
  FROM order_receipts
 WHERE job_id = :jobId
