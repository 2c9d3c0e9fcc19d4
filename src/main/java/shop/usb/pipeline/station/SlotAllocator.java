package shop.usb.pipeline.station;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import shop.usb.pipeline.crash.CrashPoints.Context;
import shop.usb.pipeline.device.Probe;
import shop.usb.pipeline.device.Slot;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.device.SlotKind;
import shop.usb.pipeline.device.Stick;
import shop.usb.pipeline.device.UsbFaults;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.lease.Lease;
import shop.usb.pipeline.lease.LeaseEnds;
import shop.usb.pipeline.lease.Leases;
import shop.usb.pipeline.lease.Reclaimer;

/**
 * Gives a run a slot that holds a stick with room for its order, one run per slot at a time: the
 * slot is leased (a row naming what the run may leave there, see {@link Leases}) before anything is
 * written, so two instances sharing the database never write to one slot, and a run that lost its
 * job can take none. A slot a dead run still leases is taken over: that lease ends first, files and
 * all. A slot that holds no stick is never leased. What happens when none is free is the slot
 * kind's: a job waits for a stick without a worker, or for a busy folder in its worker.
 */
public class SlotAllocator {

    /** How often a waiting run looks again when no lease's end woke it (another instance). */
    private static final long RECHECK_MILLIS = 1000;

    private final Station station;
    private final SlotStore slots;
    private final StickFit fit;
    private final Leases leases;
    private final Reclaimer reclaimer;
    private final LeaseEnds ends;
    private final Duration timeout;
    private final long reserveBytes;
    private final Clock clock;
    private final PortFormatting formatting;

    public SlotAllocator(
            Station station,
            SlotStore slots,
            StickFit fit,
            Leases leases,
            Reclaimer reclaimer,
            LeaseEnds ends,
            Duration timeout,
            long reserveBytes,
            Clock clock) {
        this.station = station;
        this.slots = slots;
        this.fit = fit;
        this.leases = leases;
        this.reclaimer = reclaimer;
        this.ends = ends;
        this.timeout = timeout;
        this.reserveBytes = reserveBytes;
        this.clock = clock;
        this.formatting = new PortFormatting(station, slots, leases);
    }

    /** The slot a run took, the filesystem and stick it held then, and the run's lease on it. */
    public record TakenSlot(Slot slot, SlotFilesystem filesystem, Stick stick, Lease lease) {}

    /** A slot as health checks see it: {@code problem} is null when it can take a job. */
    public record MountState(Path mount, long usableBytes, String problem) {}

    /**
     * Leases, for the run, a slot that holds a stick with room for the bytes and fits the order. A
     * station of sticks takes only a READY stick (or the one kept for the job) and throws {@link
     * NoStickReadyException} when none is, so the job waits without a worker; a station of folders
     * waits up to the allocation timeout for a busy one.
     */
    public TakenSlot acquire(JobRun run, long bytes, Demand demand) {
        long deadline = clock.millis() + timeout.toMillis();
        while (true) {
            List<JobFailure> unusable = new ArrayList<>();
            boolean anyBusy = false;
            for (Slot slot : candidates(run.jobId())) {
                Probe probe = station.probe().probe(slot.path());
                if (!probe.holdsFilesystem()) {
                    unusable.add(new JobFailure(ErrorCode.USB_UNAVAILABLE, probe.absentBecause()));
                    continue;
                }
                SlotFilesystem filesystem = probe.filesystem();
                Stick stick = station.stickIn(slot, filesystem);
                String misfit = fit.misfit(slot, stick, demand);
                JobFailure problem =
                        misfit != null
                                ? new JobFailure(ErrorCode.USB_UNAVAILABLE, misfit)
                                : station.lacksRoom(slot, stick, bytes + reserveBytes);
                if (problem != null) {
                    unusable.add(problem);
                    continue;
                }
                Optional<TakenSlot> taken = take(run, slot, filesystem, stick, demand);
                if (taken.isPresent()) {
                    return taken.get();
                }
                anyBusy = true;
            }
            boolean busy = anyBusy;
            long remaining = deadline - clock.millis();
            station.kind()
                    .whenNoneFree(
                            new SlotKind.NoneFree<Void>() {
                                @Override
                                public Void waitForAStick() {
                                    throw noStickReady(demand);
                                }

                                @Override
                                public Void waitForABusySlot() {
                                    waitForABusy(busy, remaining, unusable);
                                    return null;
                                }
                            });
        }
    }

    /**
     * Each configured slot with its usable bytes (-1 when unknown) and why it cannot take a job
     * now, if so.
     */
    public List<MountState> states() {
        List<MountState> states = new ArrayList<>();
        for (Slot slot : station.slots()) {
            Path mount = slot.path();
            Probe probe = station.probe().probe(mount);
            JobFailure problem =
                    probe.holdsFilesystem()
                            ? UsbFaults.unusable(mount, reserveBytes)
                            : new JobFailure(ErrorCode.USB_UNAVAILABLE, probe.absentBecause());
            long usable;
            try {
                usable = Files.isDirectory(mount) ? Files.getFileStore(mount).getUsableSpace() : -1;
            } catch (IOException e) {
                usable = -1;
            }
            states.add(
                    new MountState(mount, usable, problem == null ? null : problem.getMessage()));
        }
        return states;
    }

    /**
     * The slots a job may try, in order: on a station of sticks the stick kept for the job (by the
     * dispatcher, or by an earlier run of it) first, then the READY ones; a stick kept for another
     * job is not tried at all, not even leased for a moment.
     */
    private List<Slot> candidates(String jobId) {
        Map<String, SlotRow> rows = slots.rows();
        List<Slot> kept = new ArrayList<>();
        List<Slot> ready = new ArrayList<>();
        for (Slot slot : station.slots()) {
            SlotRow row = rows.get(slot.name());
            if (row != null && row.state() == SlotState.WRITING && jobId.equals(row.jobId())) {
                kept.add(slot);
            } else if (row != null && row.state() == SlotState.READY) {
                ready.add(slot);
            }
        }
        return station.kind().candidates(station.slots(), kept, ready);
    }

    /**
     * The run's lease on the slot, taking it over from a run that no longer owns its job, then the
     * slot taken for the order; empty when another live run holds it.
     */
    private Optional<TakenSlot> take(
            JobRun run, Slot slot, SlotFilesystem filesystem, Stick stick, Demand demand) {
        boolean staged = station.kind().stagesItsOrders();
        Optional<Lease> lease =
                leases.write(run, demand.orderId(), slot, filesystem, stick.id(), staged);
        if (lease.isEmpty() && reclaimer.endStale(slot.path(), Context.TAKEOVER)) {
            lease = leases.write(run, demand.orderId(), slot, filesystem, stick.id(), staged);
        }
        if (lease.isEmpty()) {
            return Optional.empty();
        }
        boolean taken = false;
        try {
            taken =
                    station.kind()
                            .take(
                                    () ->
                                            slots.take(
                                                    run,
                                                    slot,
                                                    stick,
                                                    demand.orderId(),
                                                    demand.label()));
        } finally {
            if (!taken) {
                reclaimer.end(lease.get(), Context.RUN);
            }
        }
        if (!taken) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    formatting.prepare(
                            run,
                            new TakenSlot(slot, filesystem, stick, lease.get()),
                            demand.label() == null ? demand.orderId() : demand.label()));
        } catch (RuntimeException failed) {
            reclaimer.end(lease.get(), Context.RUN);
            throw failed;
        }
    }

    private NoStickReadyException noStickReady(Demand demand) {
        String never = fit.neverFits(demand);
        if (never != null) {
            throw JobFailure.ofField(ErrorCode.NO_FITTING_STICK, "usb.capacityBytes", never);
        }
        return new NoStickReadyException(demand.capacityBytes(), demand.refusedFilesystems());
    }

    /** A busy slot is waited for until the timeout; none busy and none usable fails at once. */
    private void waitForABusy(boolean anyBusy, long remaining, List<JobFailure> unusable) {
        if (!anyBusy) {
            throw noSlotFits(unusable);
        }
        if (remaining <= 0) {
            throw new JobFailure(
                    ErrorCode.USB_UNAVAILABLE,
                    "Every USB mount stayed busy for " + timeout.toSeconds() + " s");
        }
        try {
            ends.await(Math.min(remaining, RECHECK_MILLIS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobFailure(
                    ErrorCode.USB_UNAVAILABLE, "Interrupted while waiting for a USB mount", e);
        }
    }

    /** When no slot can take the job, the shared cause wins; mixed causes read as unavailable. */
    private static JobFailure noSlotFits(List<JobFailure> unusable) {
        String reasons = String.join("; ", unusable.stream().map(Throwable::getMessage).toList());
        ErrorCode code =
                unusable.stream().map(JobFailure::code).distinct().count() == 1
                        ? unusable.get(0).code()
                        : ErrorCode.USB_UNAVAILABLE;
        return new JobFailure(code, "No USB mount can take this job: " + reasons);
    }
}
