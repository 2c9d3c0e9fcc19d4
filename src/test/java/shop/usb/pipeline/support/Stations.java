package shop.usb.pipeline.support;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import javax.sql.DataSource;
import shop.usb.pipeline.device.Slot;
import shop.usb.pipeline.device.SlotKind;
import shop.usb.pipeline.device.SlotProbe;
import shop.usb.pipeline.device.StickSizes;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.lease.Lease;
import shop.usb.pipeline.lease.LeaseEnds;
import shop.usb.pipeline.lease.Leases;
import shop.usb.pipeline.lease.Reclaimer;
import shop.usb.pipeline.station.SlotAllocator;
import shop.usb.pipeline.station.SlotRelease;
import shop.usb.pipeline.station.SlotStore;
import shop.usb.pipeline.station.SlotViews;
import shop.usb.pipeline.station.Station;
import shop.usb.pipeline.station.StationWatch;
import shop.usb.pipeline.station.StickFit;
import shop.usb.pipeline.station.StickStock;
import shop.usb.pipeline.station.WaitingJobDispatch;

/**
 * A station's parts wired as the product wires them, for tests that use the slots without the whole
 * product.
 */
public record Stations(
        Station station,
        SlotStore slots,
        StickFit fit,
        Leases leases,
        Reclaimer reclaimer,
        SlotAllocator allocator,
        StationWatch watch,
        SlotViews views,
        SlotRelease release) {

    /** A station of its own id: two instances may name their slots by the same paths. */
    public static Stations of(
            String id,
            DataSource dataSource,
            SlotKind kind,
            boolean requireMount,
            Duration allocationTimeout,
            List<Path> paths) {
        return of(id, dataSource, kind, requireMount, allocationTimeout, paths, run -> false);
    }

    /** As {@link #of}, with the runs {@code alive} in this process (none: every run is dead). */
    public static Stations of(
            String id,
            DataSource dataSource,
            SlotKind kind,
            boolean requireMount,
            Duration allocationTimeout,
            List<Path> paths,
            Predicate<JobRun> alive) {
        Station station =
                new Station(
                        id,
                        paths.stream().map(Slot::of).toList(),
                        kind,
                        new SlotProbe(requireMount));
        SlotStore slots = new SlotStore(station, dataSource);
        StickFit fit = new StickFit(kind, new StickSizes(0.10, false), StickStock.UNKNOWN);
        Leases leases = new Leases(id, dataSource);
        LeaseEnds ends = new LeaseEnds();
        Reclaimer reclaimer = new Reclaimer(leases, station.probe(), kind, ends, alive, dataSource);
        SlotAllocator allocator =
                new SlotAllocator(
                        station,
                        slots,
                        fit,
                        leases,
                        reclaimer,
                        ends,
                        allocationTimeout,
                        0,
                        Clock.systemUTC());
        StationWatch watch =
                new StationWatch(
                        station,
                        slots,
                        fit,
                        reclaimer,
                        new WaitingJobDispatch(
                                station,
                                slots,
                                fit,
                                new JobLifecycle(dataSource, "test", Clock.systemUTC()),
                                dataSource,
                                0),
                        false);
        SlotViews views = new SlotViews(station, slots);
        return new Stations(
                station,
                slots,
                fit,
                leases,
                reclaimer,
                allocator,
                watch,
                views,
                new SlotRelease(
                        station,
                        slots,
                        watch,
                        views,
                        reclaimer,
                        paths.get(0).resolveSibling("delivered")));
    }

    /**
     * A lease as a run's would read, recorded nowhere: for tests that write onto a slot without the
     * station.
     */
    public static Lease lease(Path slot, String orderId, String runToken) {
        return new Lease(
                "test-station",
                slot.getFileName().toString(),
                slot,
                new JobRun("job-of-" + orderId, runToken),
                "stick",
                Lease.stagingFolder(slot, orderId, runToken),
                Lease.orderFolder(slot, orderId),
                false);
    }

    /** Folder slots that take one order after the other, of the station "test-station". */
    public static Stations folders(
            DataSource dataSource, Duration timeout, boolean requireMount, Path... slots) {
        return of(
                "test-station", dataSource, SlotKind.FOLDER, requireMount, timeout, List.of(slots));
    }
}
