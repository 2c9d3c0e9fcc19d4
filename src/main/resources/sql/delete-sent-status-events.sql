-- One bounded batch of events sent before the outbox's retention (camel-sql, the job-retention route);
-- one the webhook has still to post, or parked, stays.
DELETE FROM status_events
 WHERE position IN (SELECT position FROM status_events
                     WHERE sent_at < :#before AND webhook_due_at IS NULL AND webhook_parked_at IS NULL
                     ORDER BY position LIMIT :#batchSize)
