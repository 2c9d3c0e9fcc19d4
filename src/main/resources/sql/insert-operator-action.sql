INSERT INTO operator_actions (acted_at, actor, action, target, result)
VALUES (:now, :actor, :action, :target, :result)
