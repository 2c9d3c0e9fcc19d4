-- The run formatted its port's stick: the lease names the stick as it is now (a new filesystem UUID).
UPDATE usb_mount_leases
   SET stick_id = :stickId, filesystem = :filesystem
 WHERE station = :station AND mount_path = :mount AND run_token = :runToken
