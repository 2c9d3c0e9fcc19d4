-- How long a waiting job still has until its due time, by the database's clock; no row when it is due.
SELECT CAST(EXTRACT(EPOCH FROM (next_attempt_at - CURRENT_TIMESTAMP)) * 1000 AS BIGINT) AS due_in_ms, priority
  FROM processing_jobs
 WHERE id = :id AND status IN (:waiting) AND run_token IS NULL AND next_attempt_at > CURRENT_TIMESTAMP
