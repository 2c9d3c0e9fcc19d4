-- WAITING: a job whose content is selected but for which no fitting stick is READY. It holds no
-- worker and no transaction, uses no attempt and carries no error; it says what it waits for.
ALTER TABLE processing_jobs DROP CONSTRAINT processing_jobs_status_check;
ALTER TABLE processing_jobs ADD CONSTRAINT processing_jobs_status_check
    CHECK (status IN ('QUEUED', 'PROCESSING', 'RETRYING', 'WAITING', 'COMPLETED', 'FAILED', 'CANCELLED'));
ALTER TABLE processing_jobs ADD COLUMN waiting_for VARCHAR(128);
-- The size class bought, and the filesystems whose rules the order breaks (FAT names, FAT32's
-- 4 GiB limit), so the station can tell which waiting job a new stick fits.
ALTER TABLE processing_jobs ADD COLUMN capacity_bytes BIGINT;
ALTER TABLE processing_jobs ADD COLUMN refused_filesystems VARCHAR(64);
CREATE INDEX processing_jobs_status_priority ON processing_jobs (status, priority, created_at);
