-- The last time a returned stick was read back against the job's manifest, and what that found.
ALTER TABLE processing_jobs ADD COLUMN reverified_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE processing_jobs ADD COLUMN reverify_result VARCHAR(1000);
