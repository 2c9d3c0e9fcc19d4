-- Only the run that owns the job leases a mount; the primary key makes one run per slot of a station.
INSERT INTO usb_mount_leases (station, mount_path, job_id, run_token, filesystem, leased_at)
SELECT :station, :mount, id, run_token, :filesystem, CURRENT_TIMESTAMP
  FROM processing_jobs
 WHERE id = :jobId AND run_token = :runToken
