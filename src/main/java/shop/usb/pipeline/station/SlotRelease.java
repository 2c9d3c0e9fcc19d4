package shop.usb.pipeline.station;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.crash.CrashPoints.Context;
import shop.usb.pipeline.device.Probe;
import shop.usb.pipeline.device.Slot;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.lease.Lease;
import shop.usb.pipeline.lease.Reclaimer;
import shop.usb.pipeline.station.SlotViews.SlotView;

/**
 * The operator took the stick out (or swapped it): {@code POST /api/slots/{slot}/release}. The slot
 * forgets its order, and whatever it holds now is looked at as a new stick. What a dead run left
 * there goes with its lease; a delivered order is never deleted: a stick that still holds one is
 * FAULTY ("not blank") until it is replaced. A folder that stands in for a stick hands its order
 * over to {@code delivered/<orderId>/}, as if the stick had gone to the customer.
 */
public class SlotRelease {

    private static final Logger LOG = LoggerFactory.getLogger(SlotRelease.class);

    private final Station station;
    private final SlotStore slots;
    private final StationWatch watch;
    private final SlotViews views;
    private final Reclaimer reclaimer;
    private final Path deliveredDir;

    public SlotRelease(
            Station station,
            SlotStore slots,
            StationWatch watch,
            SlotViews views,
            Reclaimer reclaimer,
            Path deliveredDir) {
        this.station = station;
        this.slots = slots;
        this.watch = watch;
        this.views = views;
        this.reclaimer = reclaimer;
        this.deliveredDir = deliveredDir;
    }

    /** 200 with the slot; {@link SlotBusyException} while WRITING; unknown slot: 404. */
    public SlotView release(String name) {
        Slot slot = station.slot(name).orElseThrow(() -> new UnknownSlotException(name));
        SlotRow row = slots.rows().get(name);
        if (row == null || row.state() == SlotState.WRITING) {
            throw new SlotBusyException(name);
        }
        reclaimer.endStale(slot.path(), Context.RELEASE);
        if (row.state() == SlotState.DONE && row.orderId() != null && standsInForAStick(slot)) {
            handOver(slot, row.orderId());
        }
        if (!slots.release(row) && !releaseAsItIsNow(name)) {
            throw new SlotBusyException(name);
        }
        LOG.info(
                "Slot {} released{}",
                name,
                row.orderId() == null ? "" : " (order " + row.orderId() + ")");
        watch.observe(slot, slots.rows().get(name));
        return views.view(name).orElseThrow();
    }

    /**
     * The scan changed the slot since it was read (a stick went or came): released as it is now.
     */
    private boolean releaseAsItIsNow(String name) {
        SlotRow now = slots.rows().get(name);
        return now != null && now.state() != SlotState.WRITING && slots.release(now);
    }

    private boolean standsInForAStick(Slot slot) {
        Probe probe = station.probe().probe(slot.path());
        return probe.holdsFilesystem() && !probe.filesystem().isMount();
    }

    /** Moves the order folder of a demo slot to delivered/; never onto an existing delivery. */
    private void handOver(Slot slot, String orderId) {
        Path folder = Lease.orderFolder(slot.path(), orderId);
        if (!Files.isDirectory(folder)) {
            return;
        }
        try {
            Files.createDirectories(deliveredDir);
            Path target = Lease.orderFolder(deliveredDir, orderId);
            if (Files.exists(target)) {
                target = deliveredDir.resolve(orderId + "-" + System.currentTimeMillis());
            }
            Files.move(folder, target, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("Slot {}: order {} handed over to {}", slot.name(), orderId, target);
        } catch (IOException e) {
            throw new JobFailure(
                    ErrorCode.IO_ERROR,
                    "Cannot hand order "
                            + orderId
                            + " over from "
                            + slot.path()
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /** No slot of that name: 404. */
    public static class UnknownSlotException extends RuntimeException {
        public UnknownSlotException(String slot) {
            super("No slot named '" + slot + "'");
        }
    }

    /** The slot's stick is being written: 409. */
    public static class SlotBusyException extends RuntimeException {
        public SlotBusyException(String slot) {
            super("Slot " + slot + " is writing an order; it can be released once it is DONE");
        }
    }
}
