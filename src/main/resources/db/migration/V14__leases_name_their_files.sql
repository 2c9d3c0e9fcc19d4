-- A lease is the record of everything a run may leave on a slot. Written before the run's first byte
-- lands there, it names the slot and the stick, the run's staging folder and the order folder, and
-- whether the run published that folder. Whoever ends a lease without a delivery removes what it
-- names, then the row; a delivery ends it with the COMPLETED transition, and the folder stays.
ALTER TABLE usb_mount_leases ADD COLUMN slot VARCHAR(255);
ALTER TABLE usb_mount_leases ADD COLUMN stick_id VARCHAR(255);
ALTER TABLE usb_mount_leases ADD COLUMN staging_folder VARCHAR(1024);
ALTER TABLE usb_mount_leases ADD COLUMN order_folder VARCHAR(1024);
ALTER TABLE usb_mount_leases ADD COLUMN published BOOLEAN DEFAULT FALSE NOT NULL;

-- Leases written before (their runs are dead: migrations run before any route): the staging folder
-- from the job's order id and the run's token, the slot and stick as the slot's row has them.
UPDATE usb_mount_leases
   SET staging_folder = (SELECT usb_mount_leases.mount_path || '/.' || j.order_id || '.' || usb_mount_leases.run_token || '.part'
                           FROM processing_jobs j WHERE j.id = usb_mount_leases.job_id),
       order_folder = (SELECT usb_mount_leases.mount_path || '/' || j.order_id
                         FROM processing_jobs j WHERE j.id = usb_mount_leases.job_id),
       slot = (SELECT s.slot FROM usb_slots s
                WHERE s.station = usb_mount_leases.station AND s.path = usb_mount_leases.mount_path),
       stick_id = (SELECT s.stick_id FROM usb_slots s
                    WHERE s.station = usb_mount_leases.station AND s.path = usb_mount_leases.mount_path);
-- Such a run may have named its order folder there before it died, as the job's mount says; unless
-- the job was delivered, that folder is not a delivery and goes when the lease ends, as the
-- recovery of the version before removed it.
UPDATE usb_mount_leases SET published = TRUE
 WHERE EXISTS (SELECT 1 FROM processing_jobs j
                WHERE j.id = usb_mount_leases.job_id AND j.status <> 'COMPLETED'
                  AND j.usb_mount = usb_mount_leases.mount_path);

-- A delivery now marks its slot DONE in the COMPLETED transaction. The version before marked it
-- after, and a stop in between left the slot WRITING for a COMPLETED job of this station.
UPDATE usb_slots SET state = 'DONE', problem = NULL
 WHERE state = 'WRITING'
   AND EXISTS (SELECT 1 FROM processing_jobs j
                WHERE j.id = usb_slots.job_id AND j.status = 'COMPLETED'
                  AND j.owner_instance = usb_slots.station AND j.slot = usb_slots.slot);
