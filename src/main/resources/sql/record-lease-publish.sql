-- The run is about to name its order folder: written before the rename, so whoever ends the lease
-- without a delivery removes that folder too. Only while the run owns its job and no cancel is pending.
UPDATE usb_mount_leases SET published = TRUE
 WHERE station = :station AND mount_path = :mount AND run_token = :runToken
   AND EXISTS (SELECT 1 FROM processing_jobs
                WHERE id = :jobId AND run_token = :runToken AND cancel_requested = FALSE)
