SELECT COUNT(*) FROM usb_mount_leases WHERE station = :station AND mount_path = :mount
