package shop.usb.pipeline.station;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.content.WritePlan;
import shop.usb.pipeline.device.Ports;
import shop.usb.pipeline.device.Probe;
import shop.usb.pipeline.device.Slot;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.device.SlotKind;
import shop.usb.pipeline.device.Stick;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.lease.Reclaimer;

/**
 * Looks at every slot, as the station-watch route asks each {@code pipeline.usb.scan-interval}: a
 * stick that came, went, or changed (a new identity is a new stick) is judged, READY when blank and
 * usable, FAULTY with the reason otherwise; a removed DONE stick frees its slot. Then each READY
 * stick is kept for the waiting job it fits first ({@link WaitingJobDispatch}). Each look starts
 * with the station's ports: a stick plugged into one is mounted at its slot, a pulled one
 * unmounted.
 */
public class StationWatch {

    public static final String BEAN_NAME = "stationWatch";
    private static final Logger LOG = LoggerFactory.getLogger(StationWatch.class);
    private static final int LISTED = 5;

    private final Station station;
    private final SlotStore slots;
    private final StickFit fit;
    private final Reclaimer reclaimer;
    private final WaitingJobDispatch dispatch;
    private final boolean wipe;
    private volatile boolean registered;

    public StationWatch(
            Station station,
            SlotStore slots,
            StickFit fit,
            Reclaimer reclaimer,
            WaitingJobDispatch dispatch,
            boolean wipe) {
        this.station = station;
        this.slots = slots;
        this.fit = fit;
        this.reclaimer = reclaimer;
        this.dispatch = dispatch;
        this.wipe = wipe;
    }

    /**
     * Looks at every slot once and records what changed (the first scan registers the slots); then
     * keeps each READY stick for the waiting job it fits best. Returns the job messages to send.
     */
    public List<FollowUp> scan() {
        if (!registered) {
            slots.register();
            registered = true;
        }
        station.ports().sync();
        Map<String, SlotRow> rows = slots.rows();
        for (Slot slot : station.slots()) {
            SlotRow row = rows.get(slot.name());
            if (row != null) {
                observe(slot, row);
            }
        }
        // Jobs wait for a stick without a worker only where sticks are waited for.
        return station.kind()
                .whenNoneFree(
                        new SlotKind.NoneFree<List<FollowUp>>() {
                            @Override
                            public List<FollowUp> waitForAStick() {
                                return dispatch.dispatch();
                            }

                            @Override
                            public List<FollowUp> waitForABusySlot() {
                                return List.of();
                            }
                        });
    }

    /**
     * One slot: what it holds now against what its row says. A slot a lease names is its run's (or,
     * for a dead run, whoever ends the lease): nothing is judged there until the lease ends.
     */
    void observe(Slot slot, SlotRow row) {
        if (row.leased()) {
            return;
        }
        Probe probe = station.probe().probe(slot.path());
        Optional<Ports.Unusable> unusable = station.ports().unusable(slot.path());
        if (unusable.isPresent()) {
            if (row.state() != SlotState.WRITING || !held(slot, row)) {
                fault(slot, row, unusable.get().stick(), unusable.get().problem());
            }
            return;
        }
        if (!probe.holdsFilesystem()) {
            if (row.state() == SlotState.DONE && station.ports().stillInSlot(slot, row.stick())) {
                return; // ejected: unmounted, but in the slot until the operator takes it
            }
            if (row.state() != SlotState.EMPTY && row.state() != SlotState.WRITING) {
                LOG.info("Slot {}: stick removed ({})", slot.name(), row.state());
                slots.set(row, SlotState.EMPTY, null, null, null);
            } else if (row.state() == SlotState.WRITING && !held(slot, row)) {
                slots.set(row, SlotState.EMPTY, null, null, null);
            }
            return;
        }
        SlotFilesystem filesystem = probe.filesystem();
        Stick stick = station.stickIn(slot, filesystem);
        boolean sameStick = stick.id().equals(row.stickId());
        switch (row.state()) {
            case EMPTY -> judge(slot, row, filesystem, stick);
            case READY -> {
                if (!sameStick || !blankOrWiped(slot, row, filesystem, stick)) {
                    judge(slot, row, filesystem, stick);
                }
            }
            case FAULTY, DONE -> {
                if (!sameStick) {
                    judge(slot, row, filesystem, stick);
                }
            }
            case WRITING -> {
                if (!held(slot, row)) {
                    judge(slot, row, filesystem, stick);
                }
            }
        }
    }

    /**
     * Whether a slot no lease names is still taken: the job is kept for the stick (QUEUED) until a
     * run takes it, or a run of this station holds the job and has not leased another slot yet.
     * Another instance that took the job writes on a stick of its own, whatever its slots are
     * named.
     */
    private boolean held(Slot slot, SlotRow row) {
        return switch (String.valueOf(row.jobStatus())) {
            case "QUEUED" -> true;
            case "PROCESSING" ->
                    station.id().equals(row.jobOwner())
                            && (row.jobMount() == null
                                    || row.jobMount().equals(slot.path().toString()));
            default -> false;
        };
    }

    /**
     * A new stick (or one no job holds any more): READY when blank and writable, FAULTY with the
     * reason otherwise.
     */
    private void judge(Slot slot, SlotRow row, SlotFilesystem filesystem, Stick stick) {
        String unwritable = station.kind().unwritable(filesystem);
        if (unwritable != null) {
            fault(slot, row, stick, unwritable);
            return;
        }
        String unsized = fit.noSizeClassFor(stick);
        if (unsized != null) {
            fault(slot, row, stick, unsized);
            return;
        }
        if (blankOrWiped(slot, row, filesystem, stick)) {
            if (row.state() != SlotState.READY || !stick.id().equals(row.stickId())) {
                LOG.info(
                        "Slot {}: blank stick {} ready ({} bytes, {})",
                        slot.name(),
                        stick.id(),
                        stick.sizeBytes(),
                        stick.fsType());
            }
            slots.set(row, SlotState.READY, stick, null, null);
        }
    }

    /**
     * True when the medium holds nothing that would share it with the next order (after a wipe, if
     * configured); FAULTY otherwise.
     */
    private boolean blankOrWiped(Slot slot, SlotRow row, SlotFilesystem filesystem, Stick stick) {
        if (station.ports().formats(slot.path())) {
            return noOrderOn(slot, row, filesystem, stick); // what else it holds goes
        }
        List<Path> leftovers;
        try {
            leftovers = station.kind().leftovers(filesystem);
            if (!leftovers.isEmpty() && wipe) {
                Optional<List<Path>> wiped =
                        reclaimer.wipe(slot, row.state().name(), row.jobId(), leftovers);
                if (wiped.isEmpty()) {
                    return false; // the slot changed since it was read: judged at the next scan
                }
                LOG.warn(
                        "Slot {}: wiped stick {}: removed {}",
                        slot.name(),
                        stick.id(),
                        names(wiped.get()));
                leftovers = station.kind().leftovers(filesystem);
            }
        } catch (IOException | UncheckedIOException e) {
            fault(slot, row, stick, "I/O error: " + e.getMessage());
            return false;
        }
        if (leftovers.isEmpty()) {
            return true;
        }
        fault(slot, row, stick, "not blank: holds " + names(leftovers));
        return false;
    }

    /**
     * A port that formats takes any stick but one that holds an order (a folder with its
     * MANIFEST.sha256): a delivered stick plugged in again, or one a customer brought back, is
     * FAULTY, never formatted.
     */
    private boolean noOrderOn(Slot slot, SlotRow row, SlotFilesystem filesystem, Stick stick) {
        List<Path> orders;
        try {
            orders =
                    station.kind().leftovers(filesystem).stream()
                            .filter(
                                    entry ->
                                            Files.isRegularFile(
                                                    entry.resolve(WritePlan.MANIFEST_NAME),
                                                    LinkOption.NOFOLLOW_LINKS))
                            .toList();
        } catch (IOException | UncheckedIOException e) {
            fault(slot, row, stick, "I/O error: " + e.getMessage());
            return false;
        }
        if (orders.isEmpty()) {
            return true;
        }
        fault(
                slot,
                row,
                stick,
                "holds an order ("
                        + names(orders)
                        + "): a stick with an order on it is never formatted; take it out");
        return false;
    }

    private void fault(Slot slot, SlotRow row, Stick stick, String problem) {
        if (row.state() != SlotState.FAULTY || !problem.equals(row.problem())) {
            LOG.warn("Slot {}: stick {} cannot be used: {}", slot.name(), stick.id(), problem);
        }
        slots.set(row, SlotState.FAULTY, stick, problem, null);
    }

    private static String names(List<Path> entries) {
        List<String> names =
                entries.stream()
                        .limit(LISTED)
                        .map(entry -> entry.getFileName().toString())
                        .toList();
        return String.join(", ", names)
                + (entries.size() > LISTED ? " and " + (entries.size() - LISTED) + " more" : "");
    }
}
