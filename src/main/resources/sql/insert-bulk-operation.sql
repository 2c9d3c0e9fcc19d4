-- By the database's clock, as the jobs' created_at: the operation acts on jobs created up to then.
INSERT INTO bulk_operations (id, kind, filters, target, actor, status, matched, eligible, run_token,
                             created_at, heartbeat_at)
VALUES (:id, :kind, :filters, :target, :actor, 'RUNNING', :matched, :eligible, :token,
        CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
