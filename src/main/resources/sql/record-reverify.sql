-- A re-verification's result; the job's status stays what it is (COMPLETED).
UPDATE processing_jobs
   SET reverified_at = CURRENT_TIMESTAMP, reverify_result = :result, updated_at = CURRENT_TIMESTAMP
 WHERE id = :id
