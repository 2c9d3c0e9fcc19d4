-- Newest first, one page at a time: the cursor is the (created_at, id) of the last job of the page before.
SELECT * FROM processing_jobs
 WHERE
-- include: job-filter
   AND (CAST(:cursorAt AS TIMESTAMP WITH TIME ZONE) IS NULL
        OR created_at < :cursorAt OR (created_at = :cursorAt AND id < :cursorId))
 ORDER BY created_at DESC, id DESC
 LIMIT :limit
