package shop.usb.pipeline.lease;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import shop.usb.pipeline.crash.CrashPoints;
import shop.usb.pipeline.crash.CrashPoints.Context;
import shop.usb.pipeline.crash.CrashPoints.Step;
import shop.usb.pipeline.device.Probe;
import shop.usb.pipeline.device.Slot;
import shop.usb.pipeline.device.SlotKind;
import shop.usb.pipeline.device.SlotProbe;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.job.SqlStatements;

/**
 * Ends leases without a delivery, and is the only code that deletes what a run left on a slot.
 * Whoever ends a lease (the run at its end, a run taking the slot from a dead one, startup and
 * abandoned-run recovery, an operator's release) comes here: the lease is locked, what it names is
 * removed (the staging folder, then the order folder if the run published it and the slot still
 * holds the stick it was written on), and only then is the row deleted, in that transaction. A
 * crash in between leaves the lease, and with it the files, to whoever ends it next. A file that
 * cannot be removed keeps the lease. The station's wipe of a stick that is not blank is here too.
 */
public class Reclaimer {

    private static final Logger LOG = LoggerFactory.getLogger(Reclaimer.class);

    private final Leases leases;
    private final SlotProbe probe;
    private final SlotKind kind;
    private final LeaseEnds ends;
    private final Predicate<JobRun> alive;
    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transaction;

    /** {@code alive}: whether a run is alive in this process; its lease is its own to end. */
    public Reclaimer(
            Leases leases,
            SlotProbe probe,
            SlotKind kind,
            LeaseEnds ends,
            Predicate<JobRun> alive,
            DataSource dataSource) {
        this.leases = leases;
        this.probe = probe;
        this.kind = kind;
        this.ends = ends;
        this.alive = alive;
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    private enum Ending {
        ENDED,
        ALREADY_GONE,
        KEPT
    }

    /**
     * Ends the lease without a delivery: true when it is gone (also when someone else ended it
     * first); false when what it names could not all be removed, and the lease stays (the slot
     * shows why).
     */
    public boolean end(Lease lease, Context context) {
        Ending ending =
                transaction.execute(
                        status -> {
                            List<Lease> locked =
                                    jdbc.query(
                                            SqlStatements.get("lock-mount-lease"),
                                            Leases.key(lease),
                                            Leases::lease);
                            if (locked.isEmpty()) {
                                return Ending.ALREADY_GONE;
                            }
                            try {
                                removeWhatItNames(locked.get(0), context);
                            } catch (IOException e) {
                                status.setRollbackOnly();
                                return Ending.KEPT;
                            }
                            jdbc.update(SqlStatements.get("delete-mount-lease"), Leases.key(lease));
                            return Ending.ENDED;
                        });
        if (ending == Ending.KEPT) {
            String why = "what the " + lease + " names could not all be removed; it stays";
            LOG.warn("{}", why);
            jdbc.update(
                    SqlStatements.get("note-slot-problem"),
                    new MapSqlParameterSource("station", lease.station())
                            .addValue("mount", lease.mount().toString())
                            .addValue("problem", why));
            return false;
        }
        if (ending == Ending.ENDED) {
            ends.signal();
            CrashPoints.passed(context, Step.LEASE_ENDED, lease.orderId());
        }
        return true;
    }

    /**
     * Ends the lease on the slot of a run that no longer owns its job and is not alive here, for a
     * run that takes the slot over or an operator who releases it (a run alive here ends its own
     * lease when it stops). True when one ended: the slot is free to lease.
     */
    public boolean endStale(Path mount, Context context) {
        try {
            Optional<Lease> stale = leases.stale(mount);
            return stale.isPresent() && !alive.test(stale.get().run()) && end(stale.get(), context);
        } catch (DataAccessException busy) {
            LOG.info("The lease on {} could not be ended now: {}", mount, busy.toString());
            return false;
        }
    }

    /**
     * Ends every lease of this station whose run is not alive in this process (at startup: all of
     * them). Returns how many stay: what they name could not be removed, or the database refused.
     */
    public int endDeadRuns(Context context) {
        int kept = 0;
        for (Lease lease : leases.ofStation()) {
            try {
                if (!alive.test(lease.run()) && !end(lease, context)) {
                    kept++;
                }
            } catch (DataAccessException refused) {
                LOG.warn("The {} could not be ended now: {}", lease, refused.toString());
                kept++;
            }
        }
        return kept;
    }

    /**
     * Erases a stick the station found not blank ({@code pipeline.usb.wipe}), only while its slot
     * is still in the state the station read, for the same job, and no lease names it: a run that
     * took the slot meanwhile keeps what it writes. Empty when the slot changed.
     */
    public Optional<List<Path>> wipe(
            Slot slot, String expectedState, String expectedJobId, List<Path> entries) {
        return transaction.execute(
                status -> {
                    MapSqlParameterSource key =
                            new MapSqlParameterSource("station", leases.station())
                                    .addValue("slot", slot.name())
                                    .addValue("mount", slot.path().toString());
                    List<Map<String, Object>> read =
                            jdbc.queryForList(SqlStatements.get("lock-slot-for-wipe"), key);
                    Integer leased =
                            jdbc.queryForObject(
                                    SqlStatements.get("count-slot-leases"), key, Integer.class);
                    if (read.isEmpty()
                            || !expectedState.equals(read.get(0).get("state"))
                            || !Objects.equals(expectedJobId, read.get(0).get("job_id"))
                            || leased == null
                            || leased > 0) {
                        return Optional.empty();
                    }
                    try {
                        for (Path entry : entries) {
                            deleteRecursively(entry);
                        }
                    } catch (IOException e) {
                        status.setRollbackOnly();
                        throw new UncheckedIOException(e);
                    }
                    return Optional.of(entries);
                });
    }

    private void removeWhatItNames(Lease lease, Context context) throws IOException {
        Probe now = probe.probe(lease.mount());
        if (!now.holdsFilesystem() && !kind.writtenFilesLeaveWithTheMedium()) {
            throw new IOException(now.absentBecause() + ": what the lease names is out of reach");
        }
        // The staging folder is named by the run's token: wherever the slot's path leads now (the
        // stick, or the host's disk under an empty mount point), a folder of that name is the
        // run's.
        if (lease.stagingFolder() != null) {
            deleteRecursively(lease.stagingFolder());
        }
        if (lease.published() && lease.orderFolder() != null) {
            String holding = now.holdsFilesystem() ? stickIn(lease, now) : null;
            if (!now.holdsFilesystem()) {
                // The stick went with what was on it; a folder of that name under the empty mount
                // point is on the host's disk, made by the run in the instant the stick went.
                deleteRecursively(lease.orderFolder());
            } else if (lease.stickId() != null && lease.stickId().equals(holding)) {
                deleteRecursively(lease.orderFolder());
            } else {
                LOG.info(
                        "The order folder of the {} stays where it is: the slot holds {} now, not"
                                + " the stick {} it was written on",
                        lease,
                        holding == null ? "no stick" : "stick " + holding,
                        lease.stickId());
            }
        }
        CrashPoints.reached(context, Step.LEASE_FILES_REMOVED, lease.orderId());
    }

    /** The identity of what the lease's slot holds now. */
    private String stickIn(Lease lease, Probe now) {
        Slot slot =
                lease.slot() == null
                        ? Slot.of(lease.mount())
                        : new Slot(lease.slot(), lease.mount());
        return kind.identify(slot, now.filesystem()).id();
    }

    /**
     * Removes a folder and all it holds; nothing when it is not there. Links are removed, never
     * followed; an entry that vanished meanwhile is gone as wanted.
     */
    private static void deleteRecursively(Path folder) throws IOException {
        try {
            Files.readAttributes(folder, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
            return; // any other error (no access, an I/O error) keeps the lease
        }
        Files.walkFileTree(
                folder,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                            throws IOException {
                        Files.deleteIfExists(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException exc)
                            throws IOException {
                        if (exc instanceof NoSuchFileException) {
                            return FileVisitResult.CONTINUE;
                        }
                        throw exc;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path dir, IOException exc)
                            throws IOException {
                        if (exc != null && !(exc instanceof NoSuchFileException)) {
                            throw exc;
                        }
                        Files.deleteIfExists(dir);
                        return FileVisitResult.CONTINUE;
                    }
                });
    }
}
