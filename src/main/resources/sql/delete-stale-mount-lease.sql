-- A lease outlives its job only when a process died mid-write; such a lease no longer holds the mount.
DELETE FROM usb_mount_leases
 WHERE mount_path = :mount
   AND NOT EXISTS (SELECT 1 FROM processing_jobs j
                    WHERE j.id = usb_mount_leases.job_id AND j.status = 'PROCESSING')
