-- The station's slots and the sticks in them. A row per slot of an instance (its ports), so the
-- state of a stick survives a restart: a DONE slot is still DONE until its stick is removed.
CREATE TABLE usb_slots (
    station          VARCHAR(128)  NOT NULL,
    slot             VARCHAR(255)  NOT NULL,
    path             VARCHAR(1024) NOT NULL,
    kind             VARCHAR(8)    NOT NULL,
    state            VARCHAR(8)    NOT NULL,
    -- The stick present (null while EMPTY): filesystem UUID or device, serial, size, type, label.
    stick_id         VARCHAR(255),
    stick_serial     VARCHAR(255),
    stick_size_bytes BIGINT,
    stick_fs_type    VARCHAR(32),
    stick_label      VARCHAR(64),
    -- The block device as "major:minor": an ejected (unmounted) stick is still in its slot while it is there.
    stick_device     VARCHAR(16),
    -- WRITING: the job the stick is taken by; DONE: the job it holds, and the label for the envelope.
    job_id           VARCHAR(36),
    order_id         VARCHAR(64),
    order_label      VARCHAR(64),
    problem          VARCHAR(1000),
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (station, slot),
    CONSTRAINT usb_slots_state_check CHECK (state IN ('EMPTY', 'READY', 'WRITING', 'DONE', 'FAULTY'))
);

-- The delivery record: which slot and which stick took the job, and the digest of its manifest.
ALTER TABLE processing_jobs ADD COLUMN slot VARCHAR(255);
ALTER TABLE processing_jobs ADD COLUMN stick_id VARCHAR(255);
ALTER TABLE processing_jobs ADD COLUMN stick_serial VARCHAR(255);
ALTER TABLE processing_jobs ADD COLUMN stick_size_bytes BIGINT;
ALTER TABLE processing_jobs ADD COLUMN stick_fs_type VARCHAR(32);
ALTER TABLE processing_jobs ADD COLUMN stick_label VARCHAR(64);
ALTER TABLE processing_jobs ADD COLUMN manifest_sha256 VARCHAR(64);
-- The volume label the product gave the stick (pipeline.usb.set-label), or null when it set none.
ALTER TABLE processing_jobs ADD COLUMN volume_label VARCHAR(64);
CREATE INDEX processing_jobs_stick ON processing_jobs (stick_id);
CREATE INDEX processing_jobs_stick_serial ON processing_jobs (stick_serial);
