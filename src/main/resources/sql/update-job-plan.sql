UPDATE processing_jobs
   SET bytes_planned = :bytesPlanned, files_planned = :filesPlanned, updated_at = CURRENT_TIMESTAMP
 WHERE id = :id AND run_token = :runToken AND cancel_requested = FALSE
