-- The job each order id became; a job that retention deleted shows as such (its receipt stays).
SELECT r.order_id, r.job_id, COALESCE(j.status, 'deleted by retention') AS status, j.priority
  FROM order_receipts r LEFT JOIN processing_jobs j ON j.id = r.job_id
 WHERE r.order_id IN (:orderIds)
