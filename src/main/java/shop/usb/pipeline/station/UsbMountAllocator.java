package shop.usb.pipeline.station;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.device.SlotProbe;
import shop.usb.pipeline.device.Stick;
import shop.usb.pipeline.device.UsbFaults;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.job.RunSupersededException;
import shop.usb.pipeline.job.SqlStatements;
import shop.usb.pipeline.transfer.UsbWriter;

/**
 * Hands out USB mounts, one run per mount at a time. The lease is a database row holding the run's
 * token and the filesystem the slot held, so two instances sharing the mounts never write to the
 * same one, and a run that lost its job can neither take nor free one. A slot that holds no stick
 * (see {@link SlotProbe}) is never leased. A job waits for a busy mount, but fails at once
 * (recoverably) when no mount could take it at all.
 */
public class UsbMountAllocator {

    public static final String BEAN_NAME = "usbMountAllocator";
    private static final Logger LOG = LoggerFactory.getLogger(UsbMountAllocator.class);

    /**
     * How often a waiting job looks again when no release has woken it (another instance, a new
     * stick).
     */
    private static final long RECHECK_MILLIS = 1000;

    private final UsbStation station;
    private final SlotProbe probe;
    private final NamedParameterJdbcTemplate jdbc;
    private final Duration timeout;
    private final long reserveBytes;
    private final Clock clock;
    private final Object released = new Object();

    public UsbMountAllocator(
            UsbStation station,
            DataSource dataSource,
            Duration timeout,
            long reserveBytes,
            Clock clock) {
        this.station = station;
        this.probe = station.probe();
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.timeout = timeout;
        this.reserveBytes = reserveBytes;
        this.clock = clock;
    }

    /**
     * Leases, for the run, a slot that holds a stick with room for the bytes, and returns the
     * filesystem it holds; waits up to the allocation timeout for a busy one. On a station of
     * sticks the stick must also be READY (blank, no order yet) and of the order's size class, and
     * is taken for the order (WRITING); when none is, {@link NoStickReadyException} says the job
     * must wait.
     */
    public TakenSlot acquire(JobRun run, long bytes, Demand demand) {
        long deadline = clock.millis() + timeout.toMillis();
        synchronized (released) {
            while (true) {
                List<JobFailure> unusable = new ArrayList<>();
                boolean anyBusy = false;
                for (UsbStation.Slot slot : station.slotsFor(run.jobId())) {
                    SlotFilesystem filesystem;
                    try {
                        filesystem = probe.probe(slot.path());
                    } catch (JobFailure noStick) {
                        unusable.add(noStick);
                        continue;
                    }
                    Stick stick = station.stickIn(slot, filesystem);
                    String misfit = station.fits(slot, stick, demand);
                    JobFailure problem =
                            misfit != null
                                    ? new JobFailure(ErrorCode.USB_UNAVAILABLE, misfit)
                                    : UsbFaults.unusable(slot.path(), bytes + reserveBytes);
                    if (problem != null) {
                        unusable.add(problem);
                    } else if (lease(filesystem, run)) {
                        if (station.take(run, slot, stick, demand.orderId(), demand.label())) {
                            return new TakenSlot(slot, filesystem, stick);
                        }
                        release(run);
                        anyBusy = true;
                    } else {
                        anyBusy = true;
                    }
                }
                long remaining = deadline - clock.millis();
                if (station.kind() == UsbStation.Kind.STICK) {
                    String never = station.neverFits(demand);
                    if (never != null) {
                        throw JobFailure.ofField(
                                ErrorCode.NO_FITTING_STICK, "usb.capacityBytes", never);
                    }
                    // Each order needs a stick of its own: it waits for one without holding this
                    // worker.
                    throw new NoStickReadyException(
                            demand.capacityBytes(), demand.refusedFilesystems().keySet());
                }
                if (!anyBusy) {
                    throw noMountFits(unusable);
                }
                if (remaining <= 0) {
                    throw new JobFailure(
                            ErrorCode.USB_UNAVAILABLE,
                            "Every USB mount stayed busy for " + timeout.toSeconds() + " s");
                }
                try {
                    released.wait(Math.min(remaining, RECHECK_MILLIS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new JobFailure(
                            ErrorCode.USB_UNAVAILABLE,
                            "Interrupted while waiting for a USB mount",
                            e);
                }
            }
        }
    }

    /** Frees the run's lease; a run that no longer owns its job holds none and frees nothing. */
    public void release(JobRun run) {
        jdbc.update(
                SqlStatements.get("delete-mount-lease"),
                new MapSqlParameterSource("jobId", run.jobId()).addValue("runToken", run.token()));
        synchronized (released) {
            released.notifyAll();
        }
    }

    /**
     * Each configured mount with its usable bytes (-1 when unknown) and why it cannot take a job
     * now, if so.
     */
    public List<MountState> states() {
        List<MountState> states = new ArrayList<>();
        for (Path mount : station.slots().stream().map(UsbStation.Slot::path).toList()) {
            JobFailure problem = noStick(mount);
            if (problem == null) {
                problem = UsbFaults.unusable(mount, reserveBytes);
            }
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

    /** The slot a run took, the filesystem it held then, and the stick as the system named it. */
    public record TakenSlot(UsbStation.Slot slot, SlotFilesystem filesystem, Stick stick) {}

    /**
     * What the order asks of a stick: its id and label (the slot shows them), the size class
     * bought, and the filesystems whose rules it breaks, each with the reason ({@link StickRules}).
     */
    public record Demand(
            String orderId,
            String label,
            long capacityBytes,
            Map<String, String> refusedFilesystems) {}

    /** A mount as health checks see it: {@code problem} is null when it can take a job. */
    public record MountState(Path mount, long usableBytes, String problem) {}

    private JobFailure noStick(Path mount) {
        try {
            probe.probe(mount);
            return null;
        } catch (JobFailure noStick) {
            return noStick;
        }
    }

    /**
     * A free mount costs one INSERT; a taken one is checked for a stale lease (its run no longer
     * owns its job), which is dropped and retaken. Throws when the run itself no longer owns its
     * job.
     */
    private boolean lease(SlotFilesystem stick, JobRun run) {
        MapSqlParameterSource params =
                new MapSqlParameterSource("mount", stick.slot().toString())
                        .addValue("station", station.id())
                        .addValue("jobId", run.jobId())
                        .addValue("runToken", run.token())
                        .addValue("filesystem", stick.describe());
        return insertLease(params, run)
                || dropStaleLease(stick, params) && insertLease(params, run);
    }

    /**
     * Drops the lease of a run that died on this mount, after the staging folder it left there: a
     * crash in between leaves the lease, and with it the folder, to the next run that takes the
     * mount. The slot holds one lease, and only the one read is dropped.
     */
    private boolean dropStaleLease(SlotFilesystem stick, MapSqlParameterSource params) {
        List<Map<String, Object>> stale =
                jdbc.queryForList(SqlStatements.get("find-stale-mount-lease"), params);
        if (stale.isEmpty()) {
            return false;
        }
        String deadRun = (String) stale.get(0).get("run_token");
        String orderId = (String) stale.get(0).get("order_id");
        if (deadRun != null && orderId != null) {
            removeStaging(stick.slot(), orderId, deadRun);
        }
        return jdbc.update(
                        SqlStatements.get("delete-stale-mount-lease"),
                        new MapSqlParameterSource(params.getValues())
                                .addValue("staleRunToken", deadRun == null ? "" : deadRun))
                != 0;
    }

    /**
     * Mounts on which earlier runs of the job held leases they never freed (their process died):
     * their staging folders there are removed, and the leases dropped. Only for the run that owns
     * the job.
     */
    public List<Path> takeBackEarlierLeases(JobRun run, String orderId) {
        MapSqlParameterSource params =
                new MapSqlParameterSource("jobId", run.jobId())
                        .addValue("runToken", run.token())
                        .addValue("station", station.id());
        List<Path> mounts = new ArrayList<>();
        for (Map<String, Object> earlier :
                jdbc.queryForList(SqlStatements.get("find-earlier-leases-of-job"), params)) {
            Path mount = Path.of((String) earlier.get("mount_path"));
            mounts.add(mount);
            if (earlier.get("run_token") != null) {
                removeStaging(mount, orderId, (String) earlier.get("run_token"));
            }
        }
        if (!mounts.isEmpty()) {
            jdbc.update(SqlStatements.get("delete-earlier-leases-of-job"), params);
        }
        return mounts;
    }

    private static void removeStaging(Path mount, String orderId, String runToken) {
        Path staging = UsbWriter.stagingFolder(mount, orderId, runToken);
        try {
            UsbWriter.deleteRecursively(staging);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not remove {} left by a run that died: {}", staging, e.toString());
        }
    }

    private boolean insertLease(MapSqlParameterSource params, JobRun run) {
        try {
            if (jdbc.update(SqlStatements.get("insert-mount-lease"), params) == 0) {
                throw new RunSupersededException(run, "no longer its to lease a mount for");
            }
            return true;
        } catch (DuplicateKeyException taken) {
            return false;
        }
    }

    /** When no mount can take the job, the shared cause wins; mixed causes read as unavailable. */
    private static JobFailure noMountFits(List<JobFailure> unusable) {
        String reasons = String.join("; ", unusable.stream().map(Throwable::getMessage).toList());
        ErrorCode code =
                unusable.stream().map(JobFailure::code).distinct().count() == 1
                        ? unusable.get(0).code()
                        : ErrorCode.USB_UNAVAILABLE;
        return new JobFailure(code, "No USB mount can take this job: " + reasons);
    }
}
