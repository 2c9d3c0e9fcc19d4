-- The order's receipt; a duplicate order id fails here, before its job row is written.
INSERT INTO order_receipts (order_id, job_id, received_at) VALUES (:orderId, :id, CURRENT_TIMESTAMP)
