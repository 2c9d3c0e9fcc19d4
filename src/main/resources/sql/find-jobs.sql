-- Newest first, one page at a time: the cursor is the (created_at, id) of the last job of the page before.
SELECT * FROM processing_jobs
 WHERE (CAST(:orderId AS VARCHAR(64)) IS NULL OR order_id = :orderId)
   AND (CAST(:status AS VARCHAR(16)) IS NULL OR status = :status)
   AND (CAST(:priority AS VARCHAR(8)) IS NULL OR priority = :priority)
   AND (CAST(:stick AS VARCHAR(255)) IS NULL OR stick_id = :stick OR stick_serial = :stick)
   AND (CAST(:createdFrom AS TIMESTAMP WITH TIME ZONE) IS NULL OR created_at >= :createdFrom)
   AND (CAST(:createdTo AS TIMESTAMP WITH TIME ZONE) IS NULL OR created_at < :createdTo)
   AND (CAST(:cursorAt AS TIMESTAMP WITH TIME ZONE) IS NULL
        OR created_at < :cursorAt OR (created_at = :cursorAt AND id < :cursorId))
 ORDER BY created_at DESC, id DESC
 LIMIT :limit
