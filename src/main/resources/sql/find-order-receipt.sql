SELECT job_id, received_at FROM order_receipts WHERE order_id = :orderId
