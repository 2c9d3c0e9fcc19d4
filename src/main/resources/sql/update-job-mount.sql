UPDATE processing_jobs
   SET usb_mount = :mount, bytes_written = 0, files_written = 0, updated_at = CURRENT_TIMESTAMP
 WHERE id = :id AND run_token = :runToken AND cancel_requested = FALSE
