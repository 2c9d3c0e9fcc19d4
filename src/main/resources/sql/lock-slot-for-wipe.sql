-- The slot a wipe is about to erase, locked until the wipe commits: a run cannot take it meanwhile.
SELECT state, job_id FROM usb_slots WHERE station = :station AND slot = :slot FOR UPDATE
