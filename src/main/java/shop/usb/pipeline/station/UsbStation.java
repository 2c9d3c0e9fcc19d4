package shop.usb.pipeline.station;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.device.SlotProbe;
import shop.usb.pipeline.device.Stick;
import shop.usb.pipeline.device.StickReader;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobLifecycle.WaitingJob;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.job.SqlStatements;
import shop.usb.pipeline.transfer.UsbWriter;

/**
 * The station's slots, like the ports of a duplicator. With {@code pipeline.usb.slot-kind=stick}
 * every order goes onto a stick of its own: a slot is EMPTY (no stick), READY (a blank, usable
 * stick), WRITING (taken by a job), DONE (holds a verified order; takes no other until the stick is
 * removed or the slot released) or FAULTY (a stick that cannot be used, with the reason). The state
 * is a row per slot, so it survives a restart. {@link #scan} looks at every slot, at least once a
 * second: a stick that came, went, or changed (a new identity is a new stick). With {@code
 * slot-kind=folder} a slot is a folder that takes one order after the other, each in its own
 * sub-folder (a hardware duplicator's staging folder, a share): READY whenever the folder is there.
 */
public class UsbStation {

    public static final String BEAN_NAME = "usbStation";
    private static final Logger LOG = LoggerFactory.getLogger(UsbStation.class);

    /** Entries filesystems make for themselves: a stick holding only these is blank. */
    static final Set<String> HOUSEKEEPING =
            Set.of(
                    "lost+found",
                    "System Volume Information",
                    ".Trashes",
                    ".fseventsd",
                    ".Spotlight-V100");

    private static final int LISTED = 5;

    /** Waiting jobs looked at per scan: more than a station has slots. */
    private static final int DISPATCH_BATCH = 200;

    public enum Kind {
        STICK,
        FOLDER
    }

    public enum State {
        EMPTY,
        READY,
        WRITING,
        DONE,
        FAULTY
    }

    /** A configured slot: its name is the last element of its path. */
    public record Slot(String name, Path path) {
        public static Slot of(Path path) {
            return new Slot(path.getFileName().toString(), path);
        }
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

    private final String station;
    private final List<Slot> slots;
    private final Kind kind;
    private final SlotProbe probe;
    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final JobLifecycle jobs;
    private final boolean wipe;
    private final Path deliveredDir;
    private final double sizeTolerance;
    private final boolean allowLarger;
    private final StickStock stock;
    private final Map<String, long[]> lastBytes = new HashMap<>();
    private volatile boolean registered;

    public UsbStation(
            String station,
            List<Slot> slots,
            Kind kind,
            SlotProbe probe,
            DataSource dataSource,
            JobLifecycle jobs,
            boolean wipe,
            Path deliveredDir,
            double sizeTolerance,
            boolean allowLarger,
            StickStock stock) {
        this.stock = stock;
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.jobs = jobs;
        this.sizeTolerance = sizeTolerance;
        this.allowLarger = allowLarger;
        this.station = station;
        this.slots = List.copyOf(slots);
        this.kind = kind;
        this.probe = probe;
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.wipe = wipe;
        this.deliveredDir = deliveredDir;
    }

    /**
     * Removes the order folder a run of this instance published on one of its slots but whose
     * completion was never recorded (the database was away): the order is written again, once.
     */
    public void removeUnrecordedOrder(String mount, String orderId) {
        Path slot = Path.of(mount);
        if (slots.stream().noneMatch(s -> s.path().equals(slot))) {
            return;
        }
        try {
            UsbWriter.removeOrderFolder(slot, orderId);
        } catch (IOException e) {
            LOG.warn(
                    "Could not remove {} of order {} that a run left unrecorded: {}",
                    slot,
                    orderId,
                    e.toString());
        }
    }

    /** The station's id: the instance id, which keys its slots and its slots' leases. */
    public String id() {
        return station;
    }

    public Kind kind() {
        return kind;
    }

    SlotProbe probe() {
        return probe;
    }

    /**
     * Why the stick cannot take the order (its size class, its filesystem's rules), or null when it
     * can.
     */
    String fits(Slot slot, Stick stick, UsbMountAllocator.Demand demand) {
        if (kind == Kind.STICK && !stick.fits(demand.capacityBytes(), sizeTolerance, allowLarger)) {
            return "the stick in "
                    + slot.name()
                    + " holds "
                    + stick.sizeBytes()
                    + " bytes; the order was bought on a "
                    + demand.capacityBytes()
                    + "-byte stick ("
                    + Math.round((1 - sizeTolerance) * 100)
                    + "% to "
                    + (allowLarger ? "any size" : Math.round((1 + Stick.LARGER_BY) * 100) + "%")
                    + " of that fits)";
        }
        for (Map.Entry<String, String> refused : demand.refusedFilesystems().entrySet()) {
            if (StickRules.refuses(Set.of(refused.getKey()), stick.fsType())) {
                return "the stick in "
                        + slot.name()
                        + " is "
                        + stick.fsType()
                        + ": "
                        + refused.getValue();
            }
        }
        return null;
    }

    /** Why no stick the station is stocked with could ever take the order; null when one could. */
    String neverFits(UsbMountAllocator.Demand demand) {
        return kind == Kind.FOLDER
                ? null
                : stock.neverFits(
                        demand.capacityBytes(),
                        demand.refusedFilesystems(),
                        sizeTolerance,
                        allowLarger);
    }

    /**
     * Whether a waiting job fits a stick: its size class, and not a filesystem the order breaks.
     */
    boolean canTake(Stick stick, WaitingJob job) {
        return stick.fits(job.capacityBytes(), sizeTolerance, allowLarger)
                && !StickRules.refuses(StickRules.split(job.refusedFilesystems()), stick.fsType());
    }

    public List<Slot> slots() {
        return slots;
    }

    /**
     * A row for each configured slot; a slot that has one keeps its state (a DONE stick stays
     * DONE).
     */
    public void register() {
        for (Slot slot : slots) {
            MapSqlParameterSource values =
                    slotParams(slot.name())
                            .addValue("path", slot.path().toString())
                            .addValue("kind", kind.name());
            try {
                jdbc.update(SqlStatements.get("insert-slot"), values);
            } catch (DuplicateKeyException known) {
                jdbc.update(SqlStatements.get("update-slot-config"), values);
            }
        }
    }

    /**
     * Looks at every slot once and records what changed (the first scan registers the slots); then
     * keeps each READY stick for the waiting job it fits best. Returns the job messages to send.
     */
    public List<FollowUp> scan() {
        if (!registered) {
            register();
            registered = true;
        }
        Map<String, SlotRow> rows = rows();
        for (Slot slot : slots) {
            SlotRow row = rows.get(slot.name());
            if (row != null) {
                observe(slot, row);
            }
        }
        return kind == Kind.STICK ? dispatch() : List.of();
    }

    /**
     * For each READY stick, in slot order, the waiting job it fits that comes first (the highest
     * priority, then the oldest): in one transaction the stick is kept for the job (WRITING) and
     * the job is queued again. Its run takes that stick.
     */
    private List<FollowUp> dispatch() {
        List<SlotRow> ready = new ArrayList<>();
        Map<String, SlotRow> rows = rows();
        for (Slot slot : slots) {
            SlotRow row = rows.get(slot.name());
            if (row != null && row.state() == State.READY && row.stickId() != null) {
                ready.add(row);
            }
        }
        if (ready.isEmpty()) {
            return List.of();
        }
        List<WaitingJob> waiting = new ArrayList<>(jobs.findWaiting(DISPATCH_BATCH));
        List<FollowUp> followUps = new ArrayList<>();
        for (SlotRow row : ready) {
            Stick stick = row.stick();
            for (WaitingJob job : waiting) {
                if (canTake(stick, job) && keepFor(row, job)) {
                    LOG.info(
                            "Slot {}: stick {} kept for waiting job {} (order {}, {})",
                            row.slot(),
                            stick.id(),
                            job.id(),
                            job.orderId(),
                            job.priority());
                    followUps.add(FollowUp.run(job.id(), null, job.priority()));
                    waiting.remove(job);
                    break;
                }
            }
        }
        return followUps;
    }

    private boolean keepFor(SlotRow row, WaitingJob job) {
        return Boolean.TRUE.equals(
                transaction.execute(
                        status -> {
                            boolean kept =
                                    jdbc.update(
                                                            SqlStatements.get("reserve-slot"),
                                                            slotParams(row.slot())
                                                                    .addValue("jobId", job.id())
                                                                    .addValue(
                                                                            "orderId",
                                                                            job.orderId())
                                                                    .addValue(
                                                                            "stickId",
                                                                            row.stickId()))
                                                    == 1
                                            && jobs.dispatchWaiting(job.id());
                            if (!kept) {
                                status.setRollbackOnly();
                            }
                            return kept;
                        }));
    }

    /**
     * Takes the stick in the slot for the run's order, when the slot is READY (or already this
     * job's) and its stick is the one the slot holds now and fits the order's size class; false
     * otherwise.
     */
    boolean take(JobRun run, Slot slot, Stick stick, String orderId, String orderLabel) {
        if (kind == Kind.FOLDER) {
            return true;
        }
        return jdbc.update(
                        SqlStatements.get("take-slot"),
                        slotParams(slot.name())
                                .addValue("stickId", stick.id())
                                .addValue("jobId", run.jobId())
                                .addValue("runToken", run.token())
                                .addValue("orderId", orderId)
                                .addValue("orderLabel", orderLabel))
                == 1;
    }

    /**
     * The stick now holds the job's verified order: DONE until it is removed or the slot released.
     */
    public void delivered(String slotName, String jobId) {
        if (kind == Kind.STICK) {
            jdbc.update(
                    SqlStatements.get("deliver-slot"),
                    slotParams(slotName).addValue("jobId", jobId));
        }
    }

    /**
     * The slots a job may take, in the order it should try them: on a station of sticks, a stick
     * kept for the job (by the dispatcher, or by an earlier run of it) first, then the READY ones.
     * A stick kept for another job is not tried at all, not even leased for a moment.
     */
    List<Slot> slotsFor(String jobId) {
        if (kind == Kind.FOLDER) {
            return slots;
        }
        Map<String, SlotRow> rows = rows();
        List<Slot> kept = new ArrayList<>();
        List<Slot> ready = new ArrayList<>();
        for (Slot slot : slots) {
            SlotRow row = rows.get(slot.name());
            if (row != null && row.state() == State.WRITING && jobId.equals(row.jobId())) {
                kept.add(slot);
            } else if (row != null && row.state() == State.READY) {
                ready.add(slot);
            }
        }
        kept.addAll(ready);
        return kept;
    }

    /** The stick a slot holds now, as the system tells it. */
    public Stick stickIn(Slot slot, SlotFilesystem filesystem) {
        return StickReader.read(slot.name(), filesystem);
    }

    public Optional<Slot> slot(String name) {
        return slots.stream().filter(slot -> slot.name().equals(name)).findFirst();
    }

    /**
     * The operator took the stick out (or swapped it): the slot forgets its order, and whatever it
     * holds now is looked at as a new stick. On a real mount nothing is deleted: a stick that still
     * holds files is FAULTY ("not blank") until it is replaced. A folder that stands in for a stick
     * hands its order over to {@code delivered/<orderId>/}, as if the stick had gone to the
     * customer.
     */
    public SlotView release(String name) {
        Slot slot = slot(name).orElseThrow(() -> new UnknownSlotException(name));
        SlotRow row = rows().get(name);
        if (row == null || row.state() == State.WRITING) {
            throw new SlotBusyException(name);
        }
        if (row.state() == State.DONE
                && row.orderId() != null
                && kind == Kind.STICK
                && standsInForAStick(slot)) {
            handOver(slot, row.orderId());
        }
        if (jdbc.update(SqlStatements.get("release-slot"), slotParams(name)) == 0) {
            throw new SlotBusyException(name);
        }
        LOG.info(
                "Slot {} released{}",
                name,
                row.orderId() == null ? "" : " (order " + row.orderId() + ")");
        observe(slot, rows().get(name));
        return views().stream().filter(view -> view.slot().equals(name)).findFirst().orElseThrow();
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

    public List<SlotView> views() {
        Map<String, SlotRow> rows = rows();
        List<SlotView> views = new ArrayList<>();
        for (Slot slot : slots) {
            SlotRow row = rows.get(slot.name());
            if (row != null) {
                views.add(view(slot, row));
            }
        }
        return views;
    }

    private SlotView view(Slot slot, SlotRow row) {
        Integer progress = null;
        Long rate = null;
        if (row.state() == State.WRITING && row.bytesPlanned() != null && row.bytesPlanned() > 0) {
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
                kind.name().toLowerCase(Locale.ROOT),
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

    /** One slot: what it holds now against what its row says. */
    private void observe(Slot slot, SlotRow row) {
        SlotFilesystem filesystem;
        try {
            filesystem = probe.probe(slot.path());
        } catch (JobFailure noStick) {
            if (row.state() == State.DONE && row.stick().stillAttached()) {
                return; // ejected: unmounted, but the stick is still in the slot until the operator
                // takes it
            }
            if (row.state() != State.EMPTY && row.state() != State.WRITING) {
                LOG.info("Slot {}: stick removed ({})", slot.name(), row.state());
                set(row, State.EMPTY, null, null, null);
            } else if (row.state() == State.WRITING && !jobHolds(slot, row)) {
                set(row, State.EMPTY, null, null, null);
            }
            return;
        }
        Stick stick = stickIn(slot, filesystem);
        boolean sameStick = stick.id().equals(row.stickId());
        switch (row.state()) {
            case EMPTY -> judge(slot, row, filesystem, stick);
            case READY -> {
                if (!sameStick
                        || kind == Kind.STICK && !blankOrWiped(slot, row, filesystem, stick)) {
                    judge(slot, row, filesystem, stick);
                }
            }
            case FAULTY, DONE -> {
                if (!sameStick) {
                    judge(slot, row, filesystem, stick);
                }
            }
            case WRITING -> {
                if ("COMPLETED".equals(row.jobStatus())
                        && station.equals(row.jobOwner())
                        && slot.name().equals(row.jobSlot())) {
                    // The job completed here but its process stopped before the slot was marked.
                    set(row, State.DONE, stick, null, row);
                } else if (!jobHolds(slot, row)) {
                    judge(slot, row, filesystem, stick);
                }
            }
        }
    }

    /**
     * Whether the job that took the slot still runs on it; otherwise its run ended without
     * completing here. A job kept for the stick (QUEUED) holds it until a run takes it; a run holds
     * it only on this station: another instance that took the job writes on a stick of its own,
     * whatever its slots are named.
     */
    private boolean jobHolds(Slot slot, SlotRow row) {
        return switch (String.valueOf(row.jobStatus())) {
            case "QUEUED" -> true;
            case "PROCESSING" ->
                    station.equals(row.jobOwner())
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
        if (kind == Kind.FOLDER) {
            set(row, State.READY, stick, null, null);
            return;
        }
        try {
            if (Files.getFileStore(filesystem.realPath()).isReadOnly()
                    || !Files.isWritable(filesystem.realPath())) {
                fault(slot, row, stick, "read-only");
                return;
            }
        } catch (IOException e) {
            fault(slot, row, stick, "cannot be read: " + e.getMessage());
            return;
        }
        String unsized = stock.noSizeClassFor(stick, sizeTolerance, allowLarger);
        if (unsized != null) {
            fault(slot, row, stick, unsized);
            return;
        }
        if (blankOrWiped(slot, row, filesystem, stick)) {
            if (row.state() != State.READY || !stick.id().equals(row.stickId())) {
                LOG.info(
                        "Slot {}: blank stick {} ready ({} bytes, {})",
                        slot.name(),
                        stick.id(),
                        stick.sizeBytes(),
                        stick.fsType());
            }
            set(row, State.READY, stick, null, null);
        }
    }

    /**
     * True when the stick holds nothing but housekeeping entries (after a wipe, if configured);
     * FAULTY otherwise.
     */
    private boolean blankOrWiped(Slot slot, SlotRow row, SlotFilesystem filesystem, Stick stick) {
        List<Path> entries;
        try {
            entries = entries(filesystem.realPath());
            if (!entries.isEmpty() && wipe) {
                for (Path entry : entries) {
                    UsbWriter.deleteRecursively(entry);
                }
                LOG.warn(
                        "Slot {}: wiped stick {}: removed {}",
                        slot.name(),
                        stick.id(),
                        names(entries));
                entries = entries(filesystem.realPath());
            }
        } catch (IOException e) {
            fault(slot, row, stick, "I/O error: " + e.getMessage());
            return false;
        }
        if (entries.isEmpty()) {
            return true;
        }
        fault(slot, row, stick, "not blank: holds " + names(entries));
        return false;
    }

    private void fault(Slot slot, SlotRow row, Stick stick, String problem) {
        if (row.state() != State.FAULTY || !problem.equals(row.problem())) {
            LOG.warn("Slot {}: stick {} cannot be used: {}", slot.name(), stick.id(), problem);
        }
        set(row, State.FAULTY, stick, problem, null);
    }

    private void set(SlotRow row, State state, Stick stick, String problem, SlotRow keepOrderOf) {
        jdbc.update(
                SqlStatements.get("set-slot-state"),
                slotParams(row.slot())
                        .addValue("expectedState", row.state().name())
                        .addValue("state", state.name())
                        .addValue("stickId", stick == null ? null : stick.id())
                        .addValue("stickSerial", stick == null ? null : stick.serial())
                        .addValue(
                                "stickSizeBytes",
                                stick == null || stick.isFolder() ? null : stick.sizeBytes())
                        .addValue("stickFsType", stick == null ? null : stick.fsType())
                        .addValue("stickLabel", stick == null ? null : stick.label())
                        .addValue("stickDevice", stick == null ? null : stick.device())
                        .addValue("jobId", keepOrderOf == null ? null : keepOrderOf.jobId())
                        .addValue("orderId", keepOrderOf == null ? null : keepOrderOf.orderId())
                        .addValue(
                                "orderLabel", keepOrderOf == null ? null : keepOrderOf.orderLabel())
                        .addValue("problem", problem));
    }

    private boolean standsInForAStick(Slot slot) {
        try {
            return !probe.probe(slot.path()).isMount();
        } catch (JobFailure noFolder) {
            return false;
        }
    }

    /** Moves the order folder of a demo slot to delivered/; never onto an existing delivery. */
    private void handOver(Slot slot, String orderId) {
        Path folder = UsbWriter.orderFolder(slot.path(), orderId);
        if (!Files.isDirectory(folder)) {
            return;
        }
        try {
            Files.createDirectories(deliveredDir);
            Path target = UsbWriter.orderFolder(deliveredDir, orderId);
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

    private static List<Path> entries(Path root) throws IOException {
        try (Stream<Path> list = Files.list(root)) {
            return list.filter(entry -> !HOUSEKEEPING.contains(entry.getFileName().toString()))
                    .sorted()
                    .toList();
        }
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

    private Map<String, SlotRow> rows() {
        Map<String, SlotRow> rows = new HashMap<>();
        jdbc.query(
                SqlStatements.get("find-slots"),
                slotParams(null),
                (ResultSet rs) -> {
                    while (rs.next()) {
                        SlotRow row = row(rs);
                        rows.put(row.slot(), row);
                    }
                    return null;
                });
        return rows;
    }

    private MapSqlParameterSource slotParams(String slot) {
        return new MapSqlParameterSource("station", station).addValue("slot", slot);
    }

    private static SlotRow row(ResultSet rs) throws SQLException {
        return new SlotRow(
                rs.getString("slot"),
                State.valueOf(rs.getString("state")),
                rs.getString("stick_id"),
                rs.getString("stick_serial"),
                rs.getObject("stick_size_bytes", Long.class),
                rs.getString("stick_fs_type"),
                rs.getString("stick_label"),
                rs.getString("stick_device"),
                rs.getString("job_id"),
                rs.getString("order_id"),
                rs.getString("order_label"),
                rs.getString("problem"),
                rs.getString("job_status"),
                rs.getObject("bytes_written", Long.class) == null ? 0 : rs.getLong("bytes_written"),
                rs.getObject("bytes_planned", Long.class),
                rs.getString("job_slot"),
                rs.getString("job_mount"),
                rs.getString("job_owner"));
    }

    private record SlotRow(
            String slot,
            State state,
            String stickId,
            String stickSerial,
            Long stickSizeBytes,
            String stickFsType,
            String stickLabel,
            String stickDevice,
            String jobId,
            String orderId,
            String orderLabel,
            String problem,
            String jobStatus,
            long bytesWritten,
            Long bytesPlanned,
            String jobSlot,
            String jobMount,
            String jobOwner) {

        /** The stick as the row recorded it; no size is a folder standing in for a stick. */
        Stick stick() {
            return new Stick(
                    stickId,
                    stickSerial,
                    stickSizeBytes == null ? -1 : stickSizeBytes,
                    stickFsType,
                    stickLabel,
                    stickDevice);
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
