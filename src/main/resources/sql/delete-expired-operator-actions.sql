-- One bounded batch of actions older than the audit's retention (camel-sql, the job-retention route).
DELETE FROM operator_actions
 WHERE id IN (SELECT id FROM operator_actions WHERE acted_at < :#before ORDER BY id LIMIT :#batchSize)
