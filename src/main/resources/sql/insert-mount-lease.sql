INSERT INTO usb_mount_leases (mount_path, job_id, leased_at) VALUES (:mount, :jobId, :now)
