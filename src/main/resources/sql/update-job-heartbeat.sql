-- Written for every run alive in the process on a schedule of its own, whatever the run is blocked in.
UPDATE processing_jobs SET heartbeat_at = CURRENT_TIMESTAMP WHERE id = :id AND run_token = :runToken
