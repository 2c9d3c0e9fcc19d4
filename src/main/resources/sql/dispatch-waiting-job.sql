-- A READY stick fits the waiting job: it is queued again, due now; its job message follows.
UPDATE processing_jobs
   SET status = :status, waiting_for = NULL, next_attempt_at = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP
 WHERE id = :id AND status IN (:from) AND run_token IS NULL
