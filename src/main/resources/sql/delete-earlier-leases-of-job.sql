-- Only the run that owns the job drops what its earlier runs leased on this station.
DELETE FROM usb_mount_leases
 WHERE station = :station AND job_id = :jobId AND (run_token IS NULL OR run_token <> :runToken)
   AND EXISTS (SELECT 1 FROM processing_jobs WHERE id = :jobId AND run_token = :runToken)
