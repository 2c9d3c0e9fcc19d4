package shop.usb.pipeline.stage;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.job.Cancellations;
import shop.usb.pipeline.job.ErrorCode;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.IllegalTransitionException;
import shop.usb.pipeline.job.JobCancelledException;
import shop.usb.pipeline.job.JobFailure;
import shop.usb.pipeline.job.JobRepository;
import shop.usb.pipeline.job.RetryPolicy;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.ops.metrics.PipelineMetrics;
import shop.usb.pipeline.ops.metrics.PipelineMetrics.Outcome;
import shop.usb.pipeline.usb.UsbMountAllocator;
import shop.usb.pipeline.usb.UsbWriter;

/**
 * How a job run ends: COMPLETED; RETRYING after a recoverable failure while attempts remain;
 * FAILED with its order dead-lettered; or CANCELLED when an operator asked it to stop.
 */
public class JobOutcome {

    public static final String BEAN_NAME = "jobOutcome";
    private static final Logger LOG = LoggerFactory.getLogger(JobOutcome.class);

    private final JobRepository jobs;
    private final UsbMountAllocator mounts;
    private final Cancellations cancellations;
    private final RetryPolicy retries;
    private final PipelineMetrics metrics;
    private final Clock clock;

    public JobOutcome(JobRepository jobs, UsbMountAllocator mounts, Cancellations cancellations, RetryPolicy retries,
            PipelineMetrics metrics, Clock clock) {
        this.jobs = jobs;
        this.mounts = mounts;
        this.cancellations = cancellations;
        this.retries = retries;
        this.metrics = metrics;
        this.clock = clock;
    }

    public void complete(@ExchangeProperty(JobContext.PROPERTY) JobContext job) {
        jobs.complete(job.id(), job.job().startedAt(), "Completed: " + job.plan().files().size() + " files, "
                + job.plan().totalBytes() + " bytes verified in " + job.folder());
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
            return cause instanceof JobCancelledException ? cancel(job, stage) : retryOrFail(job, stage, cause);
        } catch (IllegalTransitionException e) {
            LOG.warn("Job {} ended in {} but its status could not be recorded: {}", job.id(), stage.label(),
                    e.getMessage());
            return FollowUp.none(job.id());
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
            Instant at = clock.instant().plus(delay.get());
            try {
                jobs.scheduleRetry(job.id(), stage, failure.code(), "Attempt " + job.job().attempts() + " failed in "
                        + stage.label() + ": " + failure.getMessage(), at);
            } catch (JobCancelledException cancelRequested) {
                return cancel(job, stage);
            }
            job.endStage(Outcome.RETRYING);
            metrics.jobRetried(failure.code());
            return FollowUp.run(job.id(), at);
        }
        jobs.fail(job.id(), stage, job.job().startedAt(), failure.code(), failure.getMessage());
        job.endStage(Outcome.FAILED);
        metrics.jobFailed(failure.code());
        return FollowUp.deadLetter(job.id(), job.job().orderId(), job.job().orderJson(), failure.code(),
                failure.getMessage(), stage);
    }

    private FollowUp cancel(JobContext job, Stage stage) {
        if (job.mount() != null) {
            try {
                UsbWriter.deleteRecursively(UsbWriter.orderFolder(job.mount(), job.job().orderId()));
            } catch (IOException e) {
                LOG.warn("Cancelled job {} left a partial folder on {}: {}", job.id(), job.mount(), e.toString());
            }
        }
        jobs.cancelRunning(job.id(), stage, "Cancelled at a checkpoint in " + stage.label()
                + (job.mount() == null ? "" : "; partial folder removed from " + job.mount()));
        job.endStage(Outcome.CANCELLED);
        metrics.jobCancelled();
        LOG.info("Job {} for order {} cancelled in {}", job.id(), job.job().orderId(), stage.label());
        return FollowUp.none(job.id());
    }

    private void end(JobContext job) {
        jobs.writeLogs(job.id());
        mounts.release(job.id());
        cancellations.forget(job.id());
        metrics.jobEnded();
    }
}
