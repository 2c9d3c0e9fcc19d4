INSERT INTO processing_jobs (id, order_id, status, stage, progress, priority, attempts, order_json, created_at, updated_at, next_attempt_at)
VALUES (:id, :orderId, 'QUEUED', :stage, 0, :priority, 0, :orderJson, :now, :now, :now)
