SELECT COUNT(*) FROM status_events WHERE webhook_parked_at IS NOT NULL
