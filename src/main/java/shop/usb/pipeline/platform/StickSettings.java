package shop.usb.pipeline.platform;

import shop.usb.pipeline.device.StickFormat;
import shop.usb.pipeline.station.StickStock;

/**
 * Which sticks fit an order, and what the station does to a stick before and after: wipe or format
 * it, label it, eject it; and after how many orders in a row failed with its own I/O errors a stick
 * is FAULTY.
 */
public record StickSettings(
        double sizeTolerance,
        boolean allowLarger,
        StickStock stock,
        boolean wipe,
        StickFormat format,
        boolean setLabel,
        boolean eject,
        int faultyAfter) {

    static StickSettings from(SettingsReader read) {
        return new StickSettings(
                read.fraction("pipeline.usb.size-tolerance"),
                read.flag("pipeline.usb.allow-larger"),
                StickStock.parse(
                        read.optional("pipeline.usb.stocked-sizes"),
                        read.optional("pipeline.usb.stocked-filesystems")),
                read.flag("pipeline.usb.wipe"),
                read.choice("pipeline.usb.format", StickFormat.class),
                read.flag("pipeline.usb.set-label"),
                read.flag("pipeline.usb.eject"),
                read.positive("pipeline.usb.faulty-after"));
    }
}
