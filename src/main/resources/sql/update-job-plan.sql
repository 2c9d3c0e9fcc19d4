UPDATE processing_jobs
   SET bytes_planned = :bytesPlanned, files_planned = :filesPlanned, updated_at = :now
 WHERE id = :id AND status = 'PROCESSING' AND cancel_requested = FALSE
