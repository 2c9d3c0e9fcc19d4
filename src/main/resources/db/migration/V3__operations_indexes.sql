-- Health, throughput and retention look at jobs that ended in a time window.
CREATE INDEX processing_jobs_status_completed ON processing_jobs (status, completed_at);
