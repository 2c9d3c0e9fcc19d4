-- A lease is the record of everything a run may leave on a slot. Written before the run's first byte
-- lands there, it names the slot and the stick, the run's staging folder and the order folder, and
-- whether the run published that folder. Whoever ends a lease without a delivery removes what it
-- names, then the row; a delivery ends it with the COMPLETED transition, and the folder stays.
ALTER TABLE usb_mount_leases ADD COLUMN slot VARCHAR(255);
ALTER TABLE usb_mount_leases ADD COLUMN stick_id VARCHAR(255);
ALTER TABLE usb_mount_leases ADD COLUMN staging_folder VARCHAR(1024);
ALTER TABLE usb_mount_leases ADD COLUMN order_folder VARCHAR(1024);
ALTER TABLE usb_mount_leases ADD COLUMN published BOOLEAN DEFAULT FALSE NOT NULL;
-- Leases written before this migration: their staging folder from the job's order id and the run's
-- token. Whether they published is not known, so they are taken as not published: their end never
-- removes an order folder that may be a delivery.
UPDATE usb_mount_leases
   SET staging_folder = (SELECT usb_mount_leases.mount_path || '/.' || j.order_id || '.' || usb_mount_leases.run_token || '.part'
                           FROM processing_jobs j WHERE j.id = usb_mount_leases.job_id),
       order_folder = (SELECT usb_mount_leases.mount_path || '/' || j.order_id
                         FROM processing_jobs j WHERE j.id = usb_mount_leases.job_id);
