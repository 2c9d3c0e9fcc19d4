-- Waiting jobs whose job message should have run them a while ago (camel-sql, the overdue-job-resend
-- route): the status was committed but the message was lost or never sent (the process died first; a
-- broker lost it). A QUEUED job from intake has no due time: it counts as overdue only after the longer
-- :#queuedOverdueAfterMs, since a backlog on the broker keeps such jobs waiting legitimately.
-- A job kept for a stick is re-sent to the station that keeps it (kept_on).
SELECT id, priority,
       (SELECT MIN(s.station) FROM usb_slots s WHERE s.job_id = processing_jobs.id AND s.state = 'WRITING') AS kept_on
  FROM processing_jobs
 WHERE status IN (:#in:waiting)
   AND (next_attempt_at < CURRENT_TIMESTAMP - CAST(:#overdueAfterMs AS BIGINT) * INTERVAL '0.001' SECOND
        OR (next_attempt_at IS NULL
            AND created_at < CURRENT_TIMESTAMP - CAST(:#queuedOverdueAfterMs AS BIGINT) * INTERVAL '0.001' SECOND))
 ORDER BY COALESCE(next_attempt_at, created_at) LIMIT 100
