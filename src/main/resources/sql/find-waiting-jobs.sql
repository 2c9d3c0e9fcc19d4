-- Waiting jobs in the order a new stick serves them: the highest priority first, then the oldest.
SELECT id, order_id, capacity_bytes, refused_filesystems, priority, bytes_planned FROM processing_jobs
 WHERE status = :status
 ORDER BY CASE priority WHEN 'high' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END, created_at, id
 LIMIT :limit
