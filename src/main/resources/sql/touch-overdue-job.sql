UPDATE processing_jobs SET next_attempt_at = :now, updated_at = :now
 WHERE id = :id AND status IN ('QUEUED', 'RETRYING') AND next_attempt_at < :overdueBefore
