-- Only the run that owns the job leases a slot, before anything of it lands there; the primary key
-- makes one run per slot of a station. A run that writes in place owns its order folder from the start.
INSERT INTO usb_mount_leases (station, mount_path, slot, job_id, run_token, stick_id, filesystem, staging_folder,
                              order_folder, published, leased_at)
SELECT :station, :mount, :slot, id, run_token, :stickId, :filesystem, :stagingFolder, :orderFolder, :published,
       CURRENT_TIMESTAMP
  FROM processing_jobs
 WHERE id = :jobId AND run_token = :runToken
