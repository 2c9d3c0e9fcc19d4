-- A lease whose run no longer owns its job (its process died, it was recovered) no longer holds the
-- mount. Only a run that owns its own job may drop one.
DELETE FROM usb_mount_leases
 WHERE mount_path = :mount
   AND NOT EXISTS (SELECT 1 FROM processing_jobs j
                    WHERE j.id = usb_mount_leases.job_id AND j.run_token = usb_mount_leases.run_token)
   AND EXISTS (SELECT 1 FROM processing_jobs own WHERE own.id = :jobId AND own.run_token = :runToken)
