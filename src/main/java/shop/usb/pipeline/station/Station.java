package shop.usb.pipeline.station;

import java.util.List;
import java.util.Optional;
import shop.usb.pipeline.device.Slot;
import shop.usb.pipeline.device.SlotKind;
import shop.usb.pipeline.device.SlotProbe;

/**
 * This instance's station: its id (the instance id, which keys its slots and their leases), its
 * slots, like the ports of a duplicator, and what they physically are.
 */
public record Station(String id, List<Slot> slots, SlotKind kind, SlotProbe probe) {

    public Station {
        slots = List.copyOf(slots);
    }

    public Optional<Slot> slot(String name) {
        return slots.stream().filter(slot -> slot.name().equals(name)).findFirst();
    }
}
