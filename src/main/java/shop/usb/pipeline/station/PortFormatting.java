package shop.usb.pipeline.station;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import shop.usb.pipeline.device.Probe;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.device.Stick;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.lease.Lease;
import shop.usb.pipeline.lease.Leases;
import shop.usb.pipeline.station.SlotAllocator.TakenSlot;

/**
 * Formats a port's stick for the run that leased and took it, just before its order is written
 * ({@code pipeline.usb.format}): blank is then guaranteed and the label is the order's. The lease
 * and the slot then name the stick as it is now (a new filesystem, a new UUID). A stick that cannot
 * be formatted is FAULTY with the reason (the port keeps it), and the run gives its attempt back.
 */
class PortFormatting {

    private final Station station;
    private final SlotStore slots;
    private final Leases leases;

    PortFormatting(Station station, SlotStore slots, Leases leases) {
        this.station = station;
        this.slots = slots;
        this.leases = leases;
    }

    /** The taken slot as it is after formatting; unchanged where the port does not format. */
    TakenSlot prepare(JobRun run, TakenSlot taken, String label) {
        if (!station.ports().formats(taken.slot().path())) {
            return taken;
        }
        try {
            station.ports().format(taken.slot().path(), taken.stick().id(), label);
        } catch (NoSuchFileException gone) {
            throw new JobFailure(
                    ErrorCode.USB_REMOVED,
                    "The stick in "
                            + taken.slot().name()
                            + " went before it was formatted: "
                            + gone.getMessage());
        } catch (IOException failed) {
            throw new JobFailure(
                    ErrorCode.STICK_FAULTY,
                    "Cannot format the stick in "
                            + taken.slot().name()
                            + ": "
                            + failed.getMessage());
        }
        Probe probe = station.probe().probe(taken.slot().path());
        if (!probe.holdsFilesystem()) {
            throw new JobFailure(
                    ErrorCode.STICK_FAULTY,
                    "The stick in "
                            + taken.slot().name()
                            + " was formatted but is not mounted: "
                            + probe.absentBecause());
        }
        SlotFilesystem filesystem = probe.filesystem();
        Stick stick = station.stickIn(taken.slot(), filesystem);
        Lease lease = leases.restick(taken.lease(), filesystem, stick.id());
        slots.restick(run, taken.slot(), stick);
        return new TakenSlot(taken.slot(), filesystem, stick, lease);
    }
}
