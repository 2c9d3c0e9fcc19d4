-- The lease on a slot of this station held by a run that no longer owns its job (or whose job is gone).
SELECT l.* FROM usb_mount_leases l LEFT JOIN processing_jobs j ON j.id = l.job_id
 WHERE l.station = :station AND l.mount_path = :mount
   AND (j.id IS NULL OR l.run_token IS NULL OR j.run_token IS NULL OR j.run_token <> l.run_token)
