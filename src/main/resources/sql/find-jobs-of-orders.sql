SELECT id, order_id, status FROM processing_jobs WHERE order_id IN (:orderIds)
