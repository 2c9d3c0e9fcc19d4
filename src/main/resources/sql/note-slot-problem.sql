-- Why a slot stays taken: a lease on it whose files could not be removed (the panel shows it).
UPDATE usb_slots SET problem = :problem, updated_at = CURRENT_TIMESTAMP
 WHERE station = :station AND path = :mount
