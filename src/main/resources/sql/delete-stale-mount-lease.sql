-- The lease read as stale (its run no longer owns its job: its process died, it was recovered) no
-- longer holds the slot. Only a run that owns its own job may drop one, and only on its own station.
DELETE FROM usb_mount_leases
 WHERE station = :station AND mount_path = :mount AND COALESCE(run_token, '') = :staleRunToken
   AND NOT EXISTS (SELECT 1 FROM processing_jobs j
                    WHERE j.id = usb_mount_leases.job_id AND j.run_token = usb_mount_leases.run_token)
   AND EXISTS (SELECT 1 FROM processing_jobs own WHERE own.id = :jobId AND own.run_token = :runToken)
