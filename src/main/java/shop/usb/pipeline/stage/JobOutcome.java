package shop.usb.pipeline.stage;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.job.ErrorCode;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.JobCancelledException;
import shop.usb.pipeline.job.JobFailure;
import shop.usb.pipeline.job.JobRepository;
import shop.usb.pipeline.job.LiveRuns;
import shop.usb.pipeline.job.RetryPolicy;
import shop.usb.pipeline.job.RunSupersededException;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.ops.metrics.PipelineMetrics;
import shop.usb.pipeline.ops.metrics.PipelineMetrics.Outcome;
import shop.usb.pipeline.usb.UsbMountAllocator;
import shop.usb.pipeline.usb.UsbWriter;

/**
 * How a job run ends: COMPLETED; RETRYING after a recoverable failure while attempts remain;
 * FAILED with its order dead-lettered; CANCELLED when an operator asked it to stop; or, for a run
 * that no longer owns its job, nothing at all: it stops without touching the job, files or leases.
 */
public class JobOutcome {

    public static final String BEAN_NAME = "jobOutcome";
    private static final Logger LOG = LoggerFactory.getLogger(JobOutcome.class);

    private final JobRepository jobs;
    private final UsbMountAllocator mounts;
    private final LiveRuns liveRuns;
    private final RetryPolicy retries;
    private final PipelineMetrics metrics;
    private final Clock clock;

    public JobOutcome(JobRepository jobs, UsbMountAllocator mounts, LiveRuns liveRuns, RetryPolicy retries,
            PipelineMetrics metrics, Clock clock) {
        this.jobs = jobs;
        this.mounts = mounts;
        this.liveRuns = liveRuns;
        this.retries = retries;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The stick must still be in its slot, as the same mount, when the job is declared done. */
    public void complete(@ExchangeProperty(JobContext.PROPERTY) JobContext job) {
        job.stick().requireStillMounted("before the job was completed");
        jobs.complete(job.run(), "Completed: " + job.plan().files().size() + " files, " + job.plan().totalBytes()
                + " bytes verified in " + job.folder() + ", read back " + describe(job), job.verifiedBy().label());
        job.endStage(Outcome.COMPLETED);
        metrics.jobCompleted();
        end(job);
        LOG.info("Job {} for order {} completed", job.id(), job.job().orderId());
    }

    /** Called by the error handler with what a stage threw; the answer is what the broker must do next. */
    public FollowUp fail(Exchange exchange) {
        JobContext job = exchange.getProperty(JobContext.PROPERTY, JobContext.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Stage stage = job.stage();
        try {
            if (cause instanceof RunSupersededException superseded) {
                return superseded(job, stage, superseded);
            }
            return cause instanceof JobCancelledException ? cancel(job, stage) : retryOrFail(job, stage, cause);
        } catch (RunSupersededException superseded) {
            return superseded(job, stage, superseded);
        } finally {
            end(job);
        }
    }

    private FollowUp retryOrFail(JobContext job, Stage stage, Exception cause) {
        JobFailure failure = JobFailure.of(cause);
        LOG.warn("Job {} for order {} failed in {} with {}: {}", job.id(), job.job().orderId(), stage.label(),
                failure.code(), failure.getMessage(), failure.code() == ErrorCode.INTERNAL_ERROR ? cause : null);
        Optional<Duration> delay = failure.code().recoverable()
                ? retries.delayAfter(job.job().attempts())
                : Optional.empty();
        if (delay.isPresent()) {
            try {
                jobs.scheduleRetry(job.run(), stage, failure.code(), "Attempt " + job.job().attempts() + " failed in "
                        + stage.label() + ": " + failure.getMessage(), delay.get());
            } catch (JobCancelledException cancelRequested) {
                return cancel(job, stage);
            }
            job.endStage(Outcome.RETRYING);
            metrics.jobRetried(failure.code());
            return FollowUp.run(job.id(), clock.instant().plus(delay.get()));
        }
        jobs.fail(job.run(), stage, failure.code(), failure.getMessage());
        job.endStage(Outcome.FAILED);
        metrics.jobFailed(failure.code());
        return FollowUp.deadLetter(job.id(), job.job().orderId(), job.job().orderJson(), failure.code(),
                failure.getMessage(), stage);
    }

    /** The run removes the order folder it published, only while it still owns the job, then ends it CANCELLED. */
    private FollowUp cancel(JobContext job, Stage stage) {
        if (job.folder() != null) {
            jobs.requireOwnership(job.run());
            try {
                UsbWriter.deleteRecursively(job.folder());
            } catch (IOException e) {
                LOG.warn("Cancelled job {} left its folder {}: {}", job.id(), job.folder(), e.toString());
            }
        }
        jobs.cancelRunning(job.run(), stage, "Cancelled at a checkpoint in " + stage.label()
                + (job.stick() == null ? "" : "; partial folder removed from " + job.stick().slot()));
        job.endStage(Outcome.CANCELLED);
        metrics.jobCancelled();
        LOG.info("Job {} for order {} cancelled in {}", job.id(), job.job().orderId(), stage.label());
        return FollowUp.none(job.id());
    }

    private FollowUp superseded(JobContext job, Stage stage, RunSupersededException why) {
        String message = "Attempt " + job.job().attempts() + " (run " + job.run().shortToken() + ") stopped in "
                + stage.label() + ", superseded: " + why.getMessage() + ". It changed nothing more.";
        LOG.warn("Job {} for order {}: {}", job.id(), job.job().orderId(), message);
        jobs.log(job.run(), "WARN", stage, message);
        job.endStage(Outcome.SUPERSEDED);
        return FollowUp.none(job.id());
    }

    /**
     * Whatever the ending: the run's log is written, its own staging folder goes (no other run
     * writes there), its lease is freed (refused for a run that lost its job) and it stops beating.
     */
    private void end(JobContext job) {
        jobs.writeLogs(job.run());
        if (job.stick() != null && job.stick().isPresent()) {
            Path staging = UsbWriter.stagingFolder(job.stick().slot(), job.job().orderId(), job.run().token());
            try {
                UsbWriter.deleteRecursively(staging);
            } catch (IOException e) {
                LOG.warn("Job {} left its staging folder {}: {}", job.id(), staging, e.toString());
            }
        }
        mounts.release(job.run());
        liveRuns.end(job.run());
        metrics.jobEnded();
    }

    private static String describe(JobContext job) {
        return job.verifiedBy().label() + " from " + job.stick().describe();
    }
}
