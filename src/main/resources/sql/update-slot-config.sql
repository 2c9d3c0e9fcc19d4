-- A slot configured again at startup keeps its state; its folder or kind may have changed.
UPDATE usb_slots SET path = :path, kind = :kind WHERE station = :station AND slot = :slot
