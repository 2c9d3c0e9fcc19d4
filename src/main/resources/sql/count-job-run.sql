-- 1 while the run owns its job: a read, for recovery to check a dead run before it acts for it.
SELECT COUNT(*) FROM processing_jobs WHERE id = :id AND run_token = :runToken
