-- Only the run that owns the job leases a mount; the primary key makes one run per mount.
INSERT INTO usb_mount_leases (mount_path, job_id, run_token, filesystem, leased_at)
SELECT :mount, id, run_token, :filesystem, CURRENT_TIMESTAMP
  FROM processing_jobs
 WHERE id = :jobId AND run_token = :runToken
