SELECT * FROM processing_jobs WHERE order_id = :orderId
