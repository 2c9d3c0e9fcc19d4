-- Orders in a row that failed on the stick a slot holds with the stick's own fault (an I/O error):
-- at pipeline.usb.faulty-after the slot is FAULTY. A new stick, or a delivery, starts it afresh.
ALTER TABLE usb_slots ADD COLUMN stick_faults INTEGER DEFAULT 0 NOT NULL;
