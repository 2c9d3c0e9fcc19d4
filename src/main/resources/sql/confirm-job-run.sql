-- The run still owns its job and nobody asked it to stop: at checkpoints of long work that writes
-- nothing else (hashing, verification).
UPDATE processing_jobs SET updated_at = CURRENT_TIMESTAMP
 WHERE id = :id AND run_token = :runToken AND cancel_requested = FALSE
