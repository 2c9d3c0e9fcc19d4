package shop.usb.pipeline.support;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import shop.usb.pipeline.device.SlotProbe;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.station.StickStock;
import shop.usb.pipeline.station.UsbMountAllocator;
import shop.usb.pipeline.station.UsbStation;
import shop.usb.pipeline.station.UsbStation.Kind;

/** Stations and allocators for tests that use the USB side without the whole product. */
public final class Stations {

    private Stations() {}

    /** A station of folder slots; {@code requireMount} as pipeline.usb.require-mount. */
    public static UsbStation station(
            DataSource dataSource, Kind kind, boolean requireMount, List<Path> slots) {
        return station("test-station", dataSource, kind, requireMount, slots);
    }

    /** A station of its own id: two instances may name their slots by the same paths. */
    public static UsbStation station(
            String id, DataSource dataSource, Kind kind, boolean requireMount, List<Path> slots) {
        return new UsbStation(
                id,
                slots.stream().map(UsbStation.Slot::of).toList(),
                kind,
                new SlotProbe(requireMount),
                dataSource,
                new JobLifecycle(dataSource, Duration.ZERO, Clock.systemUTC()),
                false,
                slots.get(0).resolveSibling("delivered"),
                0.10,
                false,
                StickStock.UNKNOWN);
    }

    /** An allocator over folder slots that take one order after the other. */
    public static UsbMountAllocator folders(
            DataSource dataSource, Duration timeout, boolean requireMount, Path... slots) {
        return folders("test-station", dataSource, timeout, requireMount, slots);
    }

    public static UsbMountAllocator folders(
            String stationId,
            DataSource dataSource,
            Duration timeout,
            boolean requireMount,
            Path... slots) {
        return new UsbMountAllocator(
                station(stationId, dataSource, Kind.FOLDER, requireMount, List.of(slots)),
                dataSource,
                timeout,
                0,
                Clock.systemUTC());
    }
}
