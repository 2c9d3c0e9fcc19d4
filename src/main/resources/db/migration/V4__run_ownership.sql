-- Run ownership: a run claims a job with a fresh token, and every write of that run is guarded by
-- it. The token is set exactly while the job is PROCESSING, so "this run owns the job" is one
-- comparison, and a run that lost its job (stalled and claimed again, cancelled) can change nothing.
ALTER TABLE processing_jobs ADD COLUMN run_token VARCHAR(64);
-- Jobs that were running when this migration ran keep a token of their own, to be recovered as usual.
UPDATE processing_jobs SET run_token = CONCAT('before-v4-', id) WHERE status = 'PROCESSING';
ALTER TABLE processing_jobs ADD CONSTRAINT processing_jobs_run_token_check
    CHECK ((status = 'PROCESSING' AND run_token IS NOT NULL) OR (status <> 'PROCESSING' AND run_token IS NULL));
-- How the last verification read the stick back: 'direct' (O_DIRECT, from the device) or 'cached'.
ALTER TABLE processing_jobs ADD COLUMN verified_by VARCHAR(8);

-- A lease belongs to one run, and records the filesystem the slot held when it was leased.
ALTER TABLE usb_mount_leases ADD COLUMN run_token VARCHAR(64);
ALTER TABLE usb_mount_leases ADD COLUMN filesystem VARCHAR(512);
