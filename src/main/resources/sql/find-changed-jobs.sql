-- Jobs changed at or after :since (the database's clock), the newest :limit of them.
SELECT id, order_id, status, stage, progress, updated_at FROM processing_jobs
 WHERE updated_at >= :since
 ORDER BY updated_at DESC, id DESC
 LIMIT :limit
