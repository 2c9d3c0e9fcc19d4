-- This station's slots with the job each is kept for, and whether a lease names the slot; job_owner
-- is the instance that claimed the job last, for slots of every station are named alike (slot-1 in
-- every container).
SELECT s.*, j.bytes_written, j.bytes_planned, j.status AS job_status, j.usb_mount AS job_mount,
       j.owner_instance AS job_owner, l.mount_path AS leased_mount
  FROM usb_slots s
  LEFT JOIN processing_jobs j ON j.id = s.job_id
  LEFT JOIN usb_mount_leases l ON l.station = s.station AND l.mount_path = s.path
 WHERE s.station = :station
