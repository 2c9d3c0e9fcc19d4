-- The lease on a slot of this station held by a run that no longer owns its job, with what names its
-- staging folder and whether the order's folder there is the one the job was delivered in (the run
-- completed, and its process died before it freed the lease).
SELECT l.run_token, j.order_id,
       CASE WHEN j.status = 'COMPLETED' AND j.owner_instance = l.station AND j.usb_mount = l.mount_path
            THEN TRUE ELSE FALSE END AS delivered_here
  FROM usb_mount_leases l JOIN processing_jobs j ON j.id = l.job_id
 WHERE l.station = :station AND l.mount_path = :mount
   AND (l.run_token IS NULL OR j.run_token IS NULL OR j.run_token <> l.run_token)
