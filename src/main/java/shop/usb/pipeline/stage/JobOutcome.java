package shop.usb.pipeline.stage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.content.Sha256;
import shop.usb.pipeline.device.Stick;
import shop.usb.pipeline.device.StickEjector;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.job.Delivery;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.JobCancelledException;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobLogLevel;
import shop.usb.pipeline.job.LiveRuns;
import shop.usb.pipeline.job.RetryPolicy;
import shop.usb.pipeline.job.RunSupersededException;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.metrics.PipelineMetrics;
import shop.usb.pipeline.metrics.PipelineMetrics.Outcome;
import shop.usb.pipeline.station.NoStickReadyException;
import shop.usb.pipeline.station.UsbMountAllocator;
import shop.usb.pipeline.station.UsbMountAllocator.TakenSlot;
import shop.usb.pipeline.station.UsbStation;
import shop.usb.pipeline.transfer.UsbWriter;

/**
 * How a job run ends: COMPLETED; RETRYING after a recoverable failure while attempts remain; FAILED
 * with its order dead-lettered; CANCELLED when an operator asked it to stop; or, for a run that no
 * longer owns its job, nothing at all: it stops without touching the job, files or leases.
 */
public class JobOutcome {

    public static final String BEAN_NAME = "jobOutcome";
    private static final Logger LOG = LoggerFactory.getLogger(JobOutcome.class);

    private final JobLifecycle jobs;
    private final UsbMountAllocator mounts;
    private final UsbStation station;
    private final StickEjector ejector;
    private final LiveRuns liveRuns;
    private final RetryPolicy retries;
    private final PipelineMetrics metrics;
    private final Clock clock;

    public JobOutcome(
            JobLifecycle jobs,
            UsbMountAllocator mounts,
            UsbStation station,
            StickEjector ejector,
            LiveRuns liveRuns,
            RetryPolicy retries,
            PipelineMetrics metrics,
            Clock clock) {
        this.ejector = ejector;
        this.jobs = jobs;
        this.mounts = mounts;
        this.station = station;
        this.liveRuns = liveRuns;
        this.retries = retries;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The stick must still be in its slot, as the same mount, when the job is declared done. */
    public void complete(@ExchangeProperty(JobContext.PROPERTY) JobContext job) {
        job.stick().requireStillMounted("before the job was completed");
        TakenSlot taken = job.taken();
        Stick stick = taken.stick();
        jobs.complete(
                job.run(),
                "Completed: "
                        + job.plan().files().size()
                        + " files, "
                        + job.plan().totalBytes()
                        + " bytes verified in "
                        + job.folder()
                        + ", read back "
                        + describe(job),
                new Delivery(
                        taken.slot().name(),
                        stick.id(),
                        stick.serial(),
                        stick.isFolder() ? null : stick.sizeBytes(),
                        stick.fsType(),
                        stick.label(),
                        job.verifiedBy().label(),
                        Sha256.of(job.plan().manifest().getBytes(StandardCharsets.UTF_8)),
                        job.volumeLabel()));
        station.delivered(taken.slot().name(), job.id());
        if (ejector.enabled()) {
            String notEjected = ejector.eject(job.stick());
            jobs.log(
                    job.run(),
                    notEjected == null ? JobLogLevel.INFO : JobLogLevel.WARN,
                    Stage.DONE,
                    notEjected == null
                            ? "Stick ejected from " + taken.slot().name() + ": it can be pulled now"
                            : "Stick not ejected: " + notEjected);
        }
        job.endStage(Outcome.COMPLETED);
        metrics.jobCompleted();
        end(job);
        LOG.info("Job {} for order {} completed", job.id(), job.job().orderId());
    }

    /**
     * Called by the error handler with what a stage threw; the answer is what the broker must do
     * next.
     */
    public FollowUp fail(Exchange exchange) {
        JobContext job = exchange.getProperty(JobContext.PROPERTY, JobContext.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Stage stage = job.stage();
        try {
            if (cause instanceof RunSupersededException superseded) {
                return superseded(job, stage, superseded);
            }
            withdrawPublished(job);
            if (cause instanceof NoStickReadyException noStick) {
                return waitForStick(job, stage, noStick);
            }
            return cause instanceof JobCancelledException
                    ? cancel(job, stage)
                    : retryOrFail(job, stage, cause);
        } catch (RunSupersededException superseded) {
            return superseded(job, stage, superseded);
        } finally {
            end(job);
        }
    }

    private FollowUp retryOrFail(JobContext job, Stage stage, Exception cause) {
        JobFailure failure = JobFailure.of(cause);
        LOG.warn(
                "Job {} for order {} failed in {} with {}: {}",
                job.id(),
                job.job().orderId(),
                stage.label(),
                failure.code(),
                failure.getMessage(),
                failure.code() == ErrorCode.INTERNAL_ERROR ? cause : null);
        Optional<Duration> delay =
                failure.code().recoverable()
                        ? retries.delayAfter(job.job().attempts())
                        : Optional.empty();
        if (delay.isPresent()) {
            try {
                jobs.scheduleRetry(
                        job.run(),
                        stage,
                        failure.code(),
                        "Attempt "
                                + job.job().attempts()
                                + " failed in "
                                + stage.label()
                                + ": "
                                + failure.getMessage(),
                        delay.get());
            } catch (JobCancelledException cancelRequested) {
                return cancel(job, stage);
            }
            job.endStage(Outcome.RETRYING);
            metrics.jobRetried(failure.code());
            return FollowUp.run(job.id(), clock.instant().plus(delay.get()), job.job().priority());
        }
        jobs.fail(job.run(), stage, failure.code(), failure.getMessage());
        job.endStage(Outcome.FAILED);
        metrics.jobFailed(failure.code());
        return FollowUp.deadLetter(
                job.id(),
                job.job().orderId(),
                job.job().orderJson(),
                failure.code(),
                failure.getMessage(),
                stage);
    }

    /**
     * A run that does not complete takes back the order folder it named, while it still owns the
     * job: a stick is left blank for the next order, and a retry writes afresh.
     */
    private void withdrawPublished(JobContext job) {
        if (job.folder() == null) {
            return;
        }
        jobs.requireOwnership(job.run());
        try {
            UsbWriter.deleteRecursively(job.folder());
        } catch (IOException e) {
            LOG.warn("Job {} left its order folder {}: {}", job.id(), job.folder(), e.toString());
        }
    }

    /**
     * WAITING until the station dispatches a fitting stick to the job; the cancel of an operator
     * wins.
     */
    private FollowUp waitForStick(JobContext job, Stage stage, NoStickReadyException noStick) {
        try {
            jobs.waitForStick(
                    job.run(),
                    stage,
                    noStick.waitingFor(),
                    noStick.capacityBytes(),
                    noStick.refusedFilesystems());
        } catch (JobCancelledException cancelRequested) {
            return cancel(job, stage);
        }
        job.endStage(Outcome.WAITING);
        LOG.info(
                "Job {} for order {} waits for {}",
                job.id(),
                job.job().orderId(),
                noStick.waitingFor());
        return FollowUp.none(job.id());
    }

    private FollowUp cancel(JobContext job, Stage stage) {
        jobs.cancelRunning(
                job.run(),
                stage,
                "Cancelled at a checkpoint in "
                        + stage.label()
                        + (job.stick() == null
                                ? ""
                                : "; its folders removed from " + job.stick().slot()));
        job.endStage(Outcome.CANCELLED);
        metrics.jobCancelled();
        LOG.info(
                "Job {} for order {} cancelled in {}",
                job.id(),
                job.job().orderId(),
                stage.label());
        return FollowUp.none(job.id());
    }

    private FollowUp superseded(JobContext job, Stage stage, RunSupersededException why) {
        String message =
                "Attempt "
                        + job.job().attempts()
                        + " (run "
                        + job.run().shortToken()
                        + ") stopped in "
                        + stage.label()
                        + ", superseded: "
                        + why.getMessage()
                        + ". It changed nothing more.";
        LOG.warn("Job {} for order {}: {}", job.id(), job.job().orderId(), message);
        jobs.log(job.run(), JobLogLevel.WARN, stage, message);
        job.endStage(Outcome.SUPERSEDED);
        return FollowUp.none(job.id());
    }

    /**
     * Whatever the ending: the run's log is written, its own staging folder goes (no other run
     * writes there), its lease is freed (refused for a run that lost its job) and it stops beating.
     */
    private void end(JobContext job) {
        try {
            jobs.writeLogs(job.run());
            if (job.stick() != null && job.stick().isPresent()) {
                Path staging =
                        UsbWriter.stagingFolder(
                                job.stick().slot(), job.job().orderId(), job.run().token());
                try {
                    UsbWriter.deleteRecursively(staging);
                } catch (IOException e) {
                    LOG.warn(
                            "Job {} left its staging folder {}: {}",
                            job.id(),
                            staging,
                            e.toString());
                }
            }
            mounts.release(job.run());
        } finally {
            // Even when the database is away and nothing above could be written: a run that stays
            // "alive"
            // here would keep beating for its job after the database is back, and nobody would
            // recover it.
            liveRuns.end(job.run());
            metrics.jobEnded();
        }
    }

    private static String describe(JobContext job) {
        return job.verifiedBy().label() + " from " + job.stick().describe();
    }
}
