-- A lease belongs to a station's slot, not to a path string: instances in containers all see their
-- sticks at /usb/slot-1, and must not block each other's. The station is the instance id (as in
-- usb_slots). The table is rebuilt, since H2 and PostgreSQL name its primary key differently.
CREATE TABLE usb_slot_leases (
    station    VARCHAR(128)  NOT NULL,
    mount_path VARCHAR(1024) NOT NULL,
    job_id     VARCHAR(36)   NOT NULL,
    run_token  VARCHAR(64),
    filesystem VARCHAR(512),
    leased_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (station, mount_path)
);

INSERT INTO usb_slot_leases (station, mount_path, job_id, run_token, filesystem, leased_at)
SELECT COALESCE(j.owner_instance, ''), l.mount_path, l.job_id, l.run_token, l.filesystem, l.leased_at
  FROM usb_mount_leases l LEFT JOIN processing_jobs j ON j.id = l.job_id;

DROP TABLE usb_mount_leases;
ALTER TABLE usb_slot_leases RENAME TO usb_mount_leases;
CREATE INDEX usb_mount_leases_job ON usb_mount_leases (job_id);
