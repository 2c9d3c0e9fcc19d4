-- Slots of any station changed at or after :since (the database's clock), the newest :limit of them.
SELECT station, slot, state, order_id, updated_at FROM usb_slots
 WHERE updated_at >= :since
 ORDER BY updated_at DESC, station, slot
 LIMIT :limit
