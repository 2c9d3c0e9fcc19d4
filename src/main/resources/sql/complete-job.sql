UPDATE processing_jobs
   SET status = :status, run_token = NULL, stage = :stage, progress = 100, verified_by = :verifiedBy,
       completed_at = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP,
       duration_ms = CAST(EXTRACT(EPOCH FROM (CURRENT_TIMESTAMP - started_at)) * 1000 AS BIGINT)
 WHERE id = :id AND status IN (:from) AND run_token = :runToken
