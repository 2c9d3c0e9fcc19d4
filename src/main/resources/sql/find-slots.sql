SELECT s.*, j.bytes_written, j.bytes_planned, j.status AS job_status, j.slot AS job_slot, j.usb_mount AS job_mount
  FROM usb_slots s LEFT JOIN processing_jobs j ON j.id = s.job_id
 WHERE s.station = :station
