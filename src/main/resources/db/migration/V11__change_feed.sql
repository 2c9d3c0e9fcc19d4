-- The change feed (GET /api/events) reads jobs and slots changed since its last look.
CREATE INDEX processing_jobs_updated ON processing_jobs (updated_at);
CREATE INDEX usb_slots_updated ON usb_slots (updated_at);
