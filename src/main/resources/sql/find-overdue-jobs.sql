-- Waiting jobs whose job message should have run them a while ago (camel-sql, the overdue-job-resend
-- route): the status was committed but the message was lost or never sent (the process died first; a
-- broker lost it). A QUEUED job from intake has no due time: it counts as overdue only after the longer
-- :#queuedOverdueAfterMs, since a backlog on the broker keeps such jobs waiting legitimately. Its message
-- goes to any station: a job kept for a stick whose station went away must not wait for it for ever.
SELECT id, priority FROM processing_jobs
 WHERE status IN (:#in:waiting)
   AND (next_attempt_at < CURRENT_TIMESTAMP - CAST(:#overdueAfterMs AS BIGINT) * INTERVAL '0.001' SECOND
        OR (next_attempt_at IS NULL
            AND created_at < CURRENT_TIMESTAMP - CAST(:#queuedOverdueAfterMs AS BIGINT) * INTERVAL '0.001' SECOND))
 ORDER BY COALESCE(next_attempt_at, created_at) LIMIT 100
