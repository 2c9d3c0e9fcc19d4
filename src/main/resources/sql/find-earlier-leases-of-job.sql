-- Slots of this station that earlier runs of the job leased and never freed (their process died): they
-- may hold those runs' staging folders. Another station's are its own to take back (a stale lease).
SELECT mount_path, run_token FROM usb_mount_leases
 WHERE station = :station AND job_id = :jobId AND (run_token IS NULL OR run_token <> :runToken)
