-- One bounded batch of events sent before the outbox's retention (camel-sql, the job-retention route).
DELETE FROM status_events
 WHERE position IN (SELECT position FROM status_events
                     WHERE sent_at < :#before ORDER BY position LIMIT :#batchSize)
