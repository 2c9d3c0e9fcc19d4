-- Bulk operations that finished before the audit trail's retention (their start is in it), a batch
-- at a time (the delete-in-batches template).
DELETE FROM bulk_operations
 WHERE id IN (SELECT id FROM bulk_operations WHERE finished_at < :#before ORDER BY finished_at LIMIT :#batchSize)
