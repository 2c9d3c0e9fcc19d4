UPDATE processing_jobs
   SET status = 'COMPLETED', stage = :stage, progress = 100, completed_at = :now, updated_at = :now,
       duration_ms = :durationMs
 WHERE id = :id AND status IN (:from)
