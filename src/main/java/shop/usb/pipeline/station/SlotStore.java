package shop.usb.pipeline.station;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import shop.usb.pipeline.device.Slot;
import shop.usb.pipeline.device.Stick;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.job.SqlStatements;
import shop.usb.pipeline.job.StatusEvent;
import shop.usb.pipeline.job.StatusOutbox;

/**
 * The station's slots as rows ({@code usb_slots}, one per slot of a station), so a slot's state
 * survives a restart: a DONE stick is still DONE. Every change is guarded on what it expects, so a
 * scan, a run and an operator acting on one slot at once never overwrite each other.
 */
public class SlotStore {

    /** Orders in a row a stick may fail with its own faults before it is FAULTY, by default. */
    public static final int FAULTY_AFTER = 2;

    private final Station station;
    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final StatusOutbox outbox;
    private final int faultyAfter;

    /**
     * {@code outbox}: where a delivered stick's hand-over is told to the shop; {@code faultyAfter}:
     * see {@link #noteStickFault}.
     */
    public SlotStore(Station station, DataSource dataSource, StatusOutbox outbox, int faultyAfter) {
        this.station = station;
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.outbox = outbox;
        this.faultyAfter = faultyAfter;
    }

    public SlotStore(Station station, DataSource dataSource) {
        this(
                station,
                dataSource,
                new StatusOutbox(dataSource, station.id(), Clock.systemUTC()),
                FAULTY_AFTER);
    }

    /**
     * A row for each configured slot; a slot that has one keeps its state (a DONE stick stays
     * DONE).
     */
    void register() {
        for (Slot slot : station.slots()) {
            MapSqlParameterSource values =
                    key(slot.name())
                            .addValue("path", slot.path().toString())
                            .addValue("kind", station.kind().name());
            try {
                jdbc.update(SqlStatements.get("insert-slot"), values);
            } catch (DuplicateKeyException known) {
                jdbc.update(SqlStatements.get("update-slot-config"), values);
            }
        }
    }

    Map<String, SlotRow> rows() {
        Map<String, SlotRow> rows = new HashMap<>();
        jdbc.query(
                SqlStatements.get("find-slots"),
                key(null),
                (ResultSet rs) -> {
                    while (rs.next()) {
                        SlotRow row = row(rs);
                        rows.put(row.slot(), row);
                    }
                    return null;
                });
        return rows;
    }

    /**
     * What the station saw in a slot, guarded on the state it read, so a run that took the stick
     * meanwhile wins. {@code keepOrderOf}: the row whose order the slot keeps (DONE), or null.
     */
    void set(SlotRow row, SlotState state, Stick stick, String problem, SlotRow keepOrderOf) {
        transaction.executeWithoutResult(
                tx -> {
                    if (setGuarded(row, state, stick, problem, keepOrderOf)
                            && keepOrderOf == null) {
                        handedOver(row);
                    }
                });
    }

    private boolean setGuarded(
            SlotRow row, SlotState state, Stick stick, String problem, SlotRow keepOrderOf) {
        return jdbc.update(
                        SqlStatements.get("set-slot-state"),
                        key(row.slot())
                                .addValue("expectedState", row.state().name())
                                .addValue("expectedJob", row.jobId())
                                .addValue("state", state.name())
                                .addValue("stickId", stick == null ? null : stick.id())
                                .addValue("stickSerial", stick == null ? null : stick.serial())
                                .addValue(
                                        "stickSizeBytes",
                                        stick == null || stick.isFolder()
                                                ? null
                                                : stick.sizeBytes())
                                .addValue("stickFsType", stick == null ? null : stick.fsType())
                                .addValue("stickLabel", stick == null ? null : stick.label())
                                .addValue("stickDevice", stick == null ? null : stick.device())
                                .addValue("jobId", keepOrderOf == null ? null : keepOrderOf.jobId())
                                .addValue(
                                        "orderId",
                                        keepOrderOf == null ? null : keepOrderOf.orderId())
                                .addValue(
                                        "orderLabel",
                                        keepOrderOf == null ? null : keepOrderOf.orderLabel())
                                .addValue("problem", problem))
                == 1;
    }

    /** The READY stick is kept for the waiting job until that job's run takes it. */
    boolean reserve(SlotRow row, String jobId, String orderId) {
        return jdbc.update(
                        SqlStatements.get("reserve-slot"),
                        key(row.slot())
                                .addValue("jobId", jobId)
                                .addValue("orderId", orderId)
                                .addValue("stickId", row.stickId()))
                == 1;
    }

    /**
     * The run that owns the job takes the stick: READY (or already this job's), and still the stick
     * the slot holds.
     */
    boolean take(JobRun run, Slot slot, Stick stick, String orderId, String orderLabel) {
        return jdbc.update(
                        SqlStatements.get("take-slot"),
                        key(slot.name())
                                .addValue("stickId", stick.id())
                                .addValue("jobId", run.jobId())
                                .addValue("runToken", run.token())
                                .addValue("orderId", orderId)
                                .addValue("orderLabel", orderLabel))
                == 1;
    }

    /** The run formatted the stick it took: the slot shows it as it is now. */
    void restick(JobRun run, Slot slot, Stick stick) {
        jdbc.update(
                SqlStatements.get("restick-slot"),
                key(slot.name())
                        .addValue("stickId", stick.id())
                        .addValue("stickFsType", stick.fsType())
                        .addValue("stickLabel", stick.label())
                        .addValue("stickDevice", stick.device())
                        .addValue("jobId", run.jobId())
                        .addValue("runToken", run.token()));
    }

    /**
     * The stick holds the job's verified order: DONE until it is removed or the slot released. In
     * the COMPLETED transaction; a slot that was never marked taken (a folder) stays as it is.
     */
    public void delivered(String slotName, String jobId) {
        jdbc.update(SqlStatements.get("deliver-slot"), key(slotName).addValue("jobId", jobId));
    }

    /**
     * A run failed on the slot's stick with the stick's own fault (an I/O error): counted; the
     * {@code faultyAfter}-th in a row makes the slot FAULTY with the reason. Only while the slot
     * still holds that stick.
     */
    public void noteStickFault(String slotName, String stickId, String problem) {
        jdbc.update(
                SqlStatements.get("note-stick-fault"),
                key(slotName)
                        .addValue("stickId", stickId)
                        .addValue("faultyAfter", faultyAfter)
                        .addValue("problem", truncate(problem)));
    }

    private static String truncate(String problem) {
        return problem.length() <= 1000 ? problem : problem.substring(0, 1000);
    }

    /**
     * The operator took the stick out or swapped it; false when the slot is WRITING. {@code row}:
     * the slot as the operator saw it; when it still holds that delivered order, the shop hears
     * that its stick was handed over.
     */
    boolean release(SlotRow row) {
        return Boolean.TRUE.equals(
                transaction.execute(
                        tx -> {
                            if (!holdsDelivery(row)) {
                                return release(row.slot(), null);
                            }
                            if (!release(row.slot(), row.jobId())) {
                                return false;
                            }
                            handedOver(row);
                            return true;
                        }));
    }

    private boolean release(String slotName, String deliveredJob) {
        return jdbc.update(
                        SqlStatements.get("release-slot"),
                        key(slotName).addValue("deliveredJob", deliveredJob))
                == 1;
    }

    /**
     * A slot that held a delivered order ({@code row}, as read before the change) no longer keeps
     * it: the stick went to the customer (removed, swapped, released), and the shop hears so.
     */
    private void handedOver(SlotRow row) {
        if (holdsDelivery(row)) {
            outbox.record(row.jobId(), StatusEvent.handedOver(row.slot(), row.stickId()));
        }
    }

    private static boolean holdsDelivery(SlotRow row) {
        return row.state() == SlotState.DONE && row.jobId() != null;
    }

    private MapSqlParameterSource key(String slot) {
        return new MapSqlParameterSource("station", station.id()).addValue("slot", slot);
    }

    private static SlotRow row(ResultSet rs) throws SQLException {
        return new SlotRow(
                rs.getString("slot"),
                SlotState.valueOf(rs.getString("state")),
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
                rs.getString("job_mount"),
                rs.getString("job_owner"),
                rs.getString("leased_mount") != null);
    }
}
