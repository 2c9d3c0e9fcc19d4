-- A run enters a stage; the plan's size comes with the stage after the one that made the plan (null:
-- unchanged).
UPDATE processing_jobs
   SET stage = :stage, progress = :progress,
       bytes_planned = COALESCE(CAST(:bytesPlanned AS BIGINT), bytes_planned),
       files_planned = COALESCE(CAST(:filesPlanned AS INTEGER), files_planned),
       updated_at = CURRENT_TIMESTAMP
 WHERE id = :id AND run_token = :runToken AND cancel_requested = FALSE
