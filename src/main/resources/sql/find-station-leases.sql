-- Every lease of this station's slots: recovery ends those whose run is not alive in this process.
SELECT * FROM usb_mount_leases WHERE station = :station
