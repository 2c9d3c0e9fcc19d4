package shop.usb.pipeline.station;

import java.util.List;
import java.util.Optional;
import shop.usb.pipeline.device.Ports;
import shop.usb.pipeline.device.Slot;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.device.SlotKind;
import shop.usb.pipeline.device.SlotProbe;
import shop.usb.pipeline.device.Stick;
import shop.usb.pipeline.device.UsbFaults;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;

/**
 * This instance's station: its id (the instance id, which keys its slots and their leases), its
 * slots, like the ports of a duplicator, what they physically are, and the USB ports whose sticks
 * it mounts itself (none when something else mounts the slots).
 */
public record Station(String id, List<Slot> slots, SlotKind kind, SlotProbe probe, Ports ports) {

    /** What of a stick a fresh FAT32 or exFAT leaves for files (its tables take the rest). */
    static final double FORMATTED_SHARE = 0.98;

    public Station {
        slots = List.copyOf(slots);
    }

    /** A station whose slots something else mounts. */
    public Station(String id, List<Slot> slots, SlotKind kind, SlotProbe probe) {
        this(id, slots, kind, probe, Ports.none());
    }

    /**
     * The stick the slot holds, with the filesystem it will carry when its order is written: on a
     * port that formats, the one it will be given.
     */
    public Stick stickIn(Slot slot, SlotFilesystem filesystem) {
        Stick stick = kind.identify(slot, filesystem);
        return ports.formats(slot.path())
                ? stick.carrying(ports.filesystemFor(slot.path(), stick))
                : stick;
    }

    /**
     * Why the slot's stick has no room for {@code bytes} now, or null when it has: on a port that
     * formats, what the stick will hold once formatted; elsewhere its filesystem's free space.
     */
    public JobFailure lacksRoom(Slot slot, Stick stick, long bytes) {
        if (!ports.formats(slot.path())) {
            return UsbFaults.unusable(slot.path(), bytes);
        }
        long formatted = (long) (stick.sizeBytes() * FORMATTED_SHARE);
        return bytes <= formatted
                ? null
                : new JobFailure(
                        ErrorCode.USB_FULL,
                        slot.name()
                                + " holds about "
                                + formatted
                                + " bytes once formatted, the job needs "
                                + bytes);
    }

    public Optional<Slot> slot(String name) {
        return slots.stream().filter(slot -> slot.name().equals(name)).findFirst();
    }
}
