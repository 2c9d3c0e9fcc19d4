DELETE FROM usb_mount_leases WHERE job_id = :jobId AND run_token = :runToken
