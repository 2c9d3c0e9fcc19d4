UPDATE processing_jobs
   SET progress = :progress, bytes_written = :bytesWritten, files_written = :filesWritten,
       heartbeat_at = :now, updated_at = :now
 WHERE id = :id AND status = 'PROCESSING' AND cancel_requested = FALSE
