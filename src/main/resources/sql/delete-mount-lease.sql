DELETE FROM usb_mount_leases
 WHERE station = :station AND mount_path = :mount AND COALESCE(run_token, '') = :runToken
