-- The order's receipt; a duplicate order id fails here, before its job row is written. Its first event
-- (accepted, in the same transaction) is number 1: the receipt is written holding that number.
INSERT INTO order_receipts (order_id, job_id, received_at, event_sequence)
VALUES (:orderId, :id, CURRENT_TIMESTAMP, 1)
