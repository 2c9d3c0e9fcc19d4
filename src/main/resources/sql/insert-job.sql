-- next_attempt_at stays NULL: the job message is sent in the intake's JMS transaction, once this commits
-- (a manifest's batch: all its job messages in one).
INSERT INTO processing_jobs (id, order_id, status, stage, progress, priority, attempts, customer_key, order_json,
                             created_at, updated_at)
VALUES (:id, :orderId, :status, :stage, 0, :priority, 0, :customerKey, :orderJson, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
