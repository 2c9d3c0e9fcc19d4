-- No fitting stick is READY: the run gives its job back to wait, holding nothing. The attempt it
-- made is not counted and no error is kept. Refused when an operator asked the job to stop.
UPDATE processing_jobs
   SET status = :status, run_token = NULL, attempts = attempts - 1, waiting_for = :waitingFor,
       capacity_bytes = :capacityBytes, refused_filesystems = :refusedFilesystems, error_code = NULL, error_message = NULL, error_recoverable = NULL,
       updated_at = CURRENT_TIMESTAMP
 WHERE id = :id AND status IN (:from) AND run_token = :runToken AND cancel_requested = FALSE
