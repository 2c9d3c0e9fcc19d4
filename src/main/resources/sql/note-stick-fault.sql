-- A run failed on the slot's stick with the stick's own fault: counted, and at :faultyAfter in a row
-- the slot is FAULTY with the reason (the run's lease still holds it, so nothing else judges it now).
UPDATE usb_slots
   SET stick_faults = stick_faults + 1,
       state = CASE WHEN stick_faults + 1 >= :faultyAfter THEN 'FAULTY' ELSE state END,
       problem = CASE WHEN stick_faults + 1 >= :faultyAfter THEN :problem ELSE problem END,
       updated_at = CURRENT_TIMESTAMP
 WHERE station = :station AND slot = :slot AND stick_id = :stickId
