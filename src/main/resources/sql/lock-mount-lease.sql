-- The lease being ended, locked until its end commits: two parties ending one lease take turns, so
-- an order folder is never removed after the slot went to another run.
SELECT * FROM usb_mount_leases
 WHERE station = :station AND mount_path = :mount AND COALESCE(run_token, '') = :runToken
   FOR UPDATE
