package shop.usb.pipeline.run;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.dao.DataAccessException;
import shop.usb.pipeline.crash.CrashPoints;
import shop.usb.pipeline.crash.CrashPoints.Context;
import shop.usb.pipeline.crash.CrashPoints.Step;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.job.ClaimedJob;
import shop.usb.pipeline.job.Delivery;
import shop.usb.pipeline.job.JobLogLevel;
import shop.usb.pipeline.job.PlannedSize;
import shop.usb.pipeline.job.RunSupersededException;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.lease.Lease;
import shop.usb.pipeline.metrics.PipelineMetrics.Outcome;
import shop.usb.pipeline.station.Demand;
import shop.usb.pipeline.station.SlotAllocator.TakenSlot;

/**
 * One run of a job, as its claim returned it: everything the run may do goes through here. It
 * enters stages, reports progress, logs, takes a slot (its lease says what it may leave there),
 * publishes its order folder, and ends: COMPLETED with its delivery, or giving its slot back and
 * then RETRYING, FAILED, WAITING or CANCELLED. Every write is guarded by the run's token, which
 * never leaves this object but in its lease.
 */
public final class Run {

    private final ClaimedJob job;
    private final Runs runs;

    /** The claim entered the first stage. */
    private Stage stage = Stage.FIRST;

    private long stageStartedNanos = System.nanoTime();
    private TakenSlot taken;
    private PlannedSize plan;

    Run(ClaimedJob job, Runs runs) {
        this.job = job;
        this.runs = runs;
    }

    public String jobId() {
        return job.id();
    }

    public String orderId() {
        return job.orderId();
    }

    public String orderJson() {
        return job.orderJson();
    }

    public String priority() {
        return job.priority();
    }

    public int attempts() {
        return job.attempts();
    }

    /** The token's first characters, as the job's log tells its runs apart. */
    public String shortToken() {
        return job.run().shortToken();
    }

    public Stage stage() {
        return stage;
    }

    /** The stage before ends well (its time is measured), the next one begins and says so. */
    public void enter(Stage next, String message) {
        endStage(Outcome.COMPLETED);
        stage = next;
        runs.record.enterStage(job.run(), next, message, plan);
        plan = null;
    }

    /** Measures the time of the current stage with how it ended. */
    public void endStage(Outcome outcome) {
        long now = System.nanoTime();
        runs.metrics.stageEnded(stage, outcome, now - stageStartedNanos);
        stageStartedNanos = now;
    }

    /** A line in the job's log, in the current stage. */
    public void log(JobLogLevel level, String message) {
        runs.record.log(job.run(), level, stage, message);
    }

    /** The plan's size, shown on the job from the next stage's entry on (one statement less). */
    public void recordPlan(long bytesPlanned, int filesPlanned) {
        plan = new PlannedSize(bytesPlanned, filesPlanned);
    }

    /**
     * Progress of work on {@code totalBytes} (0: checkpoints only), written at most per interval.
     */
    public ProgressReporter progress(long totalBytes) {
        return new ProgressReporter(
                runs.record,
                runs.liveRuns,
                job.run(),
                totalBytes,
                runs.progressInterval,
                runs.clock);
    }

    /**
     * Takes a slot that fits the order, leased before anything lands on it; the job records the
     * slot's folder.
     */
    public TakenSlot takeSlot(long bytes, Demand demand) {
        taken = runs.allocator.acquire(job.run(), bytes, demand);
        runs.record.recordMount(job.run(), taken.filesystem().slot().toString());
        return taken;
    }

    /** The slot this run took, with its lease; null before it took one. */
    public TakenSlot taken() {
        return taken;
    }

    /**
     * Names the order folder: a folder of that name no lease names is never replaced; the lease
     * says the run publishes (only while the run owns its job and no cancel is pending), then the
     * staging folder is renamed.
     */
    public Path publish(SlotFilesystem stick) {
        if (taken.lease().stagingFolder() == null) {
            return taken.lease()
                    .orderFolder(); // written in place: the lease named it from the start
        }
        runs.writer.requireNoOrderFolder(taken.lease(), stick);
        Lease publishing;
        try {
            publishing = runs.leases.recordPublish(taken.lease());
        } catch (RunSupersededException refused) {
            throw runs.record.refusal(job.run()); // a cancel asked for, or the job lost
        }
        taken = new TakenSlot(taken.slot(), taken.filesystem(), taken.stick(), publishing);
        return runs.writer.publish(publishing, stick);
    }

    /**
     * COMPLETED, in one transaction with the lease's end (the delivered folder stays) and the slot
     * becoming DONE.
     */
    public void complete(String message, Delivery delivery) {
        Lease lease = taken.lease();
        runs.record.complete(
                job.run(),
                message,
                delivery,
                () -> {
                    if (!runs.leases.delivered(lease)) {
                        throw new IllegalStateException("The " + lease + " was gone at delivery");
                    }
                    runs.slots.delivered(taken.slot().name(), job.id());
                });
        runs.leaseEnds.signal();
        CrashPoints.passed(Context.RUN, Step.COMPLETED, job.orderId());
        endStage(Outcome.COMPLETED);
        stage = Stage.DONE;
    }

    /**
     * A run that does not deliver gives its slot back: what its lease names is removed, then the
     * lease. False when that could not be done: the lease stays for recovery to end.
     */
    public boolean giveBackSlot() {
        return taken == null || runs.reclaimer.end(taken.lease(), Context.RUN);
    }

    /**
     * The run failed with the stick's own fault: counted against the stick it took, which becomes
     * FAULTY when it keeps failing so.
     */
    public void noteStickFault(JobFailure failure) {
        if (taken == null || !failure.code().faultsTheStick()) {
            return;
        }
        try {
            runs.slots.noteStickFault(
                    taken.slot().name(),
                    taken.stick().id(),
                    "keeps failing with I/O errors: " + failure.getMessage());
        } catch (DataAccessException away) {
            // The count is the station's advice; the job's own outcome is what must be recorded.
            log(JobLogLevel.WARN, "The stick's fault was not counted: " + away.getMessage());
        }
    }

    public void scheduleRetry(ErrorCode code, String message, Duration delay) {
        runs.record.scheduleRetry(job.run(), stage, code, message, delay);
    }

    public void fail(ErrorCode code, String message) {
        runs.record.fail(job.run(), stage, code, message);
    }

    public void waitForStick(
            String waitingFor, String because, long capacityBytes, String refusedFilesystems) {
        runs.record.waitForStick(
                job.run(), stage, waitingFor, because, capacityBytes, refusedFilesystems);
    }

    public void cancel(String message) {
        runs.record.cancelRunning(job.run(), stage, message);
    }

    /**
     * However the run ended: what is left of its log is written, and it stops beating; even when
     * the database is away, so that recovery can take its job back.
     */
    public void end() {
        try {
            runs.record.writeLogs(job.run());
        } finally {
            runs.liveRuns.end(job.run());
            runs.metrics.jobEnded();
        }
    }

    @Override
    public String toString() {
        return job.run().toString();
    }
}
