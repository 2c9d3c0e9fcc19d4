-- Newest first, one page at a time: the cursor is the id of the last action of the page before.
SELECT id, acted_at, actor, action, target, result FROM operator_actions
 WHERE (CAST(:actor AS VARCHAR(64)) IS NULL OR actor = :actor)
   AND (CAST(:target AS VARCHAR(255)) IS NULL OR target = :target)
   AND (CAST(:cursorId AS BIGINT) IS NULL OR id < :cursorId)
 ORDER BY id DESC
 LIMIT :limit
