UPDATE processing_jobs SET next_attempt_at = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP
 WHERE id = :id AND status IN (:waiting) AND run_token IS NULL
   AND (next_attempt_at < CURRENT_TIMESTAMP - CAST(:overdueAfterMs AS BIGINT) * INTERVAL '0.001' SECOND
        OR (next_attempt_at IS NULL
            AND created_at < CURRENT_TIMESTAMP - CAST(:queuedOverdueAfterMs AS BIGINT) * INTERVAL '0.001' SECOND))
