-- Claims one overdue job's re-send (camel-sql, the overdue-job-resend route): true for one instance,
-- once per period, and never for a job that ran or changed meanwhile.
UPDATE processing_jobs SET next_attempt_at = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP
 WHERE id = :#id AND status IN (:#in:waiting) AND run_token IS NULL
   AND (next_attempt_at < CURRENT_TIMESTAMP - CAST(:#overdueAfterMs AS BIGINT) * INTERVAL '0.001' SECOND
        OR (next_attempt_at IS NULL
            AND created_at < CURRENT_TIMESTAMP - CAST(:#queuedOverdueAfterMs AS BIGINT) * INTERVAL '0.001' SECOND))
