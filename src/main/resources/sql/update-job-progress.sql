UPDATE processing_jobs
   SET progress = :progress, bytes_written = :bytesWritten, files_written = :filesWritten,
       updated_at = CURRENT_TIMESTAMP
 WHERE id = :id AND run_token = :runToken AND cancel_requested = FALSE
