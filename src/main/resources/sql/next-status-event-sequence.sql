-- The job's order takes its next event number; the row stays locked until the transaction ends, so an
-- order's events commit one after the other, in the order of their numbers.
UPDATE order_receipts SET event_sequence = event_sequence + 1 WHERE job_id = :jobId
