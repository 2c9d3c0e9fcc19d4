package shop.usb.pipeline.station;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import shop.usb.pipeline.device.Slot;

/** The slots as the API and the panel show them, with each writing slot's speed. */
public class SlotViews {

    private final Station station;
    private final SlotStore slots;
    private final Map<String, long[]> lastBytes = new HashMap<>();

    public SlotViews(Station station, SlotStore slots) {
        this.station = station;
        this.slots = slots;
    }

    /** A slot as the API and the panel show it. */
    public record SlotView(
            String slot,
            String path,
            String kind,
            String state,
            String orderId,
            String jobId,
            String label,
            Integer progress,
            Long bytesPerSecond,
            StickView stick,
            String problem) {}

    public record StickView(
            String id, String serial, Long sizeBytes, String fsType, String label) {}

    public List<SlotView> views() {
        Map<String, SlotRow> rows = slots.rows();
        List<SlotView> views = new ArrayList<>();
        for (Slot slot : station.slots()) {
            SlotRow row = rows.get(slot.name());
            if (row != null) {
                views.add(view(slot, row));
            }
        }
        return views;
    }

    public Optional<SlotView> view(String name) {
        return views().stream().filter(view -> view.slot().equals(name)).findFirst();
    }

    /**
     * The slot whose stick is this one, if any is plugged in: the same id (filesystem UUID or
     * device), and the same serial where both are known (serials of cheap sticks repeat; a device
     * name is reused).
     */
    public Optional<SlotView> slotHolding(String stickId, String stickSerial) {
        return views().stream()
                .filter(
                        view ->
                                view.stick() != null
                                        && Objects.equals(view.stick().id(), stickId)
                                        && (stickSerial == null
                                                || view.stick().serial() == null
                                                || stickSerial.equals(view.stick().serial())))
                .findFirst();
    }

    private SlotView view(Slot slot, SlotRow row) {
        Integer progress = null;
        Long rate = null;
        if (row.state() == SlotState.WRITING
                && row.bytesPlanned() != null
                && row.bytesPlanned() > 0) {
            progress = (int) Math.min(100, 100 * row.bytesWritten() / row.bytesPlanned());
            rate = bytesPerSecond(slot.name(), row.bytesWritten());
        }
        StickView stick =
                row.stickId() == null
                        ? null
                        : new StickView(
                                row.stickId(),
                                row.stickSerial(),
                                row.stickSizeBytes(),
                                row.stickFsType(),
                                row.stickLabel());
        return new SlotView(
                slot.name(),
                slot.path().toString(),
                station.kind().label(),
                row.state().name(),
                row.orderId(),
                row.jobId(),
                row.orderLabel(),
                progress,
                rate,
                stick,
                row.problem());
    }

    /** Bytes per second since the last time the slot was shown while writing. */
    private synchronized Long bytesPerSecond(String slot, long bytes) {
        long now = System.nanoTime();
        long[] last = lastBytes.put(slot, new long[] {bytes, now});
        if (last == null || now <= last[1] || bytes < last[0]) {
            return null;
        }
        return (bytes - last[0]) * 1_000_000_000L / (now - last[1]);
    }
}
