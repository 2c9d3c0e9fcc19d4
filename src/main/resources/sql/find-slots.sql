-- This station's slots with the job each is kept for; job_owner is the instance that claimed the job
-- last, for slots of every station are named alike (slot-1 in every container).
SELECT s.*, j.bytes_written, j.bytes_planned, j.status AS job_status, j.slot AS job_slot, j.usb_mount AS job_mount,
       j.owner_instance AS job_owner
  FROM usb_slots s LEFT JOIN processing_jobs j ON j.id = s.job_id
 WHERE s.station = :station
