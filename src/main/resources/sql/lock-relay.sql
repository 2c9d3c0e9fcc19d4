-- A relay's poll takes its lock for the poll's transaction: another instance's poll waits until it ends.
SELECT name FROM relay_locks WHERE name = :name FOR UPDATE
