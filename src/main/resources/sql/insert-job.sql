-- next_attempt_at stays NULL: the job message is sent in the same JMS transaction as the intake.
INSERT INTO processing_jobs (id, order_id, status, stage, progress, priority, attempts, customer_key, order_json,
                             created_at, updated_at)
VALUES (:id, :orderId, :status, :stage, 0, :priority, 0, :customerKey, :orderJson, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
