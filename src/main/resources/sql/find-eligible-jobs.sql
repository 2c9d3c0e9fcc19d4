-- A bulk action's next batch: jobs the list's filters match that it may change, newest first after the
-- cursor (created_at, id) of the batch before. A job it changed leaves :eligible, so no batch repeats one.
SELECT id, priority, created_at FROM processing_jobs
 WHERE status IN (:eligible) AND
-- include: job-filter
   AND (CAST(:cursorAt AS TIMESTAMP WITH TIME ZONE) IS NULL
        OR created_at < :cursorAt OR (created_at = :cursorAt AND id < :cursorId))
 ORDER BY created_at DESC, id DESC
 LIMIT :limit
