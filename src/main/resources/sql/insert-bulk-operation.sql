INSERT INTO bulk_operations (id, kind, filters, target, actor, status, matched, eligible, run_token,
                             created_at, heartbeat_at)
VALUES (:id, :kind, :filters, :target, :actor, 'RUNNING', :matched, :eligible, :token, :now, :now)
