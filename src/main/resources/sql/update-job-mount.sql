UPDATE processing_jobs
   SET usb_mount = :mount, bytes_written = 0, files_written = 0, updated_at = :now
 WHERE id = :id AND status = 'PROCESSING' AND cancel_requested = FALSE
