-- The list's filters other than the search (GET /api/jobs), shared by job-filter and search-jobs.
       (CAST(:orderId AS VARCHAR(64)) IS NULL OR order_id = :orderId)
   AND (CAST(:status AS VARCHAR(16)) IS NULL OR status = :status)
   AND (CAST(:priority AS VARCHAR(8)) IS NULL OR priority = :priority)
   AND (CAST(:errorCode AS VARCHAR(64)) IS NULL OR error_code = :errorCode)
   AND (CAST(:stick AS VARCHAR(255)) IS NULL OR stick_id = :stick OR stick_serial = :stick)
   AND (CAST(:createdFrom AS TIMESTAMP WITH TIME ZONE) IS NULL OR created_at >= :createdFrom)
   AND (CAST(:createdTo AS TIMESTAMP WITH TIME ZONE) IS NULL OR created_at < :createdTo)
