SELECT id, kind, filters, target, actor, status, matched, eligible, processed, changed,
       cursor_created_at, cursor_id, run_token, resumed, created_at, heartbeat_at, finished_at
  FROM bulk_operations
 WHERE id = :id
