SELECT * FROM processing_jobs
 WHERE (CAST(:orderId AS VARCHAR(64)) IS NULL OR order_id = :orderId)
   AND (CAST(:status AS VARCHAR(16)) IS NULL OR status = :status)
 ORDER BY created_at DESC, id DESC
 LIMIT :limit
