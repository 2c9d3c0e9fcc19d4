package shop.usb.pipeline.lease;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import shop.usb.pipeline.crash.CrashPoints;
import shop.usb.pipeline.crash.CrashPoints.Context;
import shop.usb.pipeline.crash.CrashPoints.Step;
import shop.usb.pipeline.device.Slot;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.job.RunSupersededException;
import shop.usb.pipeline.job.SqlStatements;

/**
 * The leases of this station's slots, one row per slot at most (the primary key): one run per slot,
 * also across instances sharing the database. A lease is written before a run's first byte lands on
 * its slot and says what that run may leave there. Ending one without a delivery is {@link
 * Reclaimer}'s; a delivery ends it in the COMPLETED transaction ({@link #delivered}).
 */
public class Leases {

    private final String station;
    private final NamedParameterJdbcTemplate jdbc;

    public Leases(String station, DataSource dataSource) {
        this.station = station;
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
    }

    public String station() {
        return station;
    }

    /**
     * Writes the run's lease on the slot for the stick it holds now; empty when another run holds
     * the slot. Throws {@link RunSupersededException} when the run no longer owns its job. A run
     * that stages its order names its staging folder; one that writes in place names the order
     * folder as its own from the start.
     */
    public Optional<Lease> write(
            JobRun run,
            String orderId,
            Slot slot,
            SlotFilesystem filesystem,
            String stickId,
            boolean staged) {
        Lease lease =
                new Lease(
                        station,
                        slot.name(),
                        filesystem.slot(),
                        run,
                        stickId,
                        staged
                                ? Lease.stagingFolder(filesystem.slot(), orderId, run.token())
                                : null,
                        Lease.orderFolder(filesystem.slot(), orderId),
                        !staged);
        try {
            if (jdbc.update(
                            SqlStatements.get("insert-mount-lease"),
                            key(lease)
                                    .addValue("slot", lease.slot())
                                    .addValue("jobId", run.jobId())
                                    .addValue("stickId", stickId)
                                    .addValue("filesystem", filesystem.describe())
                                    .addValue(
                                            "stagingFolder",
                                            staged ? lease.stagingFolder().toString() : null)
                                    .addValue("orderFolder", lease.orderFolder().toString())
                                    .addValue("published", !staged))
                    == 0) {
                throw new RunSupersededException(run, "no longer its to lease a slot for");
            }
        } catch (DuplicateKeyException taken) {
            return Optional.empty();
        }
        CrashPoints.passed(Context.RUN, Step.LEASE_WRITTEN, orderId);
        return Optional.of(lease);
    }

    /**
     * Records, before the run names its order folder, that it does: from then on whoever ends the
     * lease without a delivery removes that folder too. Returns the lease as it now reads; throws
     * {@link RunSupersededException} when the run no longer owns its job or a cancel is pending
     * (the run asks its record which).
     */
    public Lease recordPublish(Lease lease) {
        if (jdbc.update(
                        SqlStatements.get("record-lease-publish"),
                        key(lease).addValue("jobId", lease.run().jobId()))
                == 0) {
            throw new RunSupersededException(lease.run(), "not its to publish any more");
        }
        CrashPoints.passed(Context.RUN, Step.PUBLISH_RECORDED, lease.orderId());
        return lease.publishing();
    }

    /**
     * The run formatted the stick it leased: the lease names it as it is now. Throws {@link
     * RunSupersededException} when the lease is no longer the run's.
     */
    public Lease restick(Lease lease, SlotFilesystem filesystem, String stickId) {
        if (jdbc.update(
                        SqlStatements.get("restick-mount-lease"),
                        key(lease)
                                .addValue("stickId", stickId)
                                .addValue("filesystem", filesystem.describe()))
                == 0) {
            throw new RunSupersededException(lease.run(), "its lease ended while it formatted");
        }
        return new Lease(
                lease.station(),
                lease.slot(),
                lease.mount(),
                lease.run(),
                stickId,
                lease.stagingFolder(),
                lease.orderFolder(),
                lease.published());
    }

    /**
     * The order was delivered in the lease's order folder: the lease ends and the folder stays. Run
     * inside the COMPLETED transaction; false when the lease was no longer there.
     */
    public boolean delivered(Lease lease) {
        return jdbc.update(SqlStatements.get("delete-mount-lease"), key(lease)) == 1;
    }

    /** The lease on the slot of a run that no longer owns its job, if there is one. */
    public Optional<Lease> stale(Path mount) {
        return jdbc
                .query(
                        SqlStatements.get("find-stale-mount-lease"),
                        new MapSqlParameterSource("station", station)
                                .addValue("mount", mount.toString()),
                        Leases::lease)
                .stream()
                .findFirst();
    }

    /** Every lease of this station's slots. */
    public List<Lease> ofStation() {
        return jdbc.query(
                SqlStatements.get("find-station-leases"),
                new MapSqlParameterSource("station", station),
                Leases::lease);
    }

    /** The row's key: the station's slot and the run that holds it. */
    static MapSqlParameterSource key(Lease lease) {
        return new MapSqlParameterSource("station", lease.station())
                .addValue("mount", lease.mount().toString())
                .addValue("runToken", lease.run().token() == null ? "" : lease.run().token());
    }

    static Lease lease(ResultSet rs, int rowNum) throws SQLException {
        Path mount = Path.of(rs.getString("mount_path"));
        String staging = rs.getString("staging_folder");
        String order = rs.getString("order_folder");
        return new Lease(
                rs.getString("station"),
                rs.getString("slot"),
                mount,
                new JobRun(rs.getString("job_id"), rs.getString("run_token")),
                rs.getString("stick_id"),
                staging == null ? null : Path.of(staging),
                order == null ? null : Path.of(order),
                rs.getBoolean("published"));
    }
}
