INSERT INTO usb_slots (station, slot, path, kind, state, updated_at)
VALUES (:station, :slot, :path, :kind, 'EMPTY', CURRENT_TIMESTAMP)
