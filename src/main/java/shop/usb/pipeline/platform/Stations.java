package shop.usb.pipeline.platform;

import java.util.List;
import shop.usb.pipeline.device.BlockDevices;
import shop.usb.pipeline.device.Mounter;
import shop.usb.pipeline.device.Ports;
import shop.usb.pipeline.device.PrivilegedCommands;
import shop.usb.pipeline.device.Slot;
import shop.usb.pipeline.device.SlotProbe;
import shop.usb.pipeline.station.Station;

/** This instance's station as the settings describe it. */
final class Stations {

    private Stations() {}

    /**
     * The station's slots and what fills them: with ports, the product mounts each port's stick at
     * its slot, once here (before recovery looks at the slots), then at each of the watch's looks.
     */
    static Station of(PipelineSettings settings) {
        UsbSettings usb = settings.usb();
        List<Slot> slots = usb.mounts().stream().map(Slot::of).toList();
        PrivilegedCommands privileged = new PrivilegedCommands(usb.mounting().helper());
        BlockDevices devices = new BlockDevices(privileged);
        List<Ports.Port> ports =
                slots.stream()
                        .filter(slot -> usb.ports().containsKey(slot.name()))
                        .map(slot -> new Ports.Port(slot, usb.ports().get(slot.name())))
                        .toList();
        Ports mounted =
                new Ports(
                        ports,
                        devices,
                        new Mounter(usb.mounting().commands(), privileged),
                        settings.sticks().format());
        mounted.sync();
        return new Station(
                settings.instanceId(),
                slots,
                usb.slotKind(),
                new SlotProbe(usb.requireMount(), mounted, devices),
                mounted);
    }
}
