package shop.usb.pipeline.stage;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.content.Sha256;
import shop.usb.pipeline.device.StickEjector;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.job.Delivery;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.JobCancelledException;
import shop.usb.pipeline.job.JobLogLevel;
import shop.usb.pipeline.job.RetryPolicy;
import shop.usb.pipeline.job.RunSupersededException;
import shop.usb.pipeline.metrics.PipelineMetrics;
import shop.usb.pipeline.metrics.PipelineMetrics.Outcome;
import shop.usb.pipeline.run.Run;
import shop.usb.pipeline.station.NoStickReadyException;
import shop.usb.pipeline.station.SlotAllocator.TakenSlot;

/**
 * How a job run ends, one method per outcome, each called by routes/error-handling.camel.yaml or
 * the job route: COMPLETED; superseded (the run lost its job: it changes nothing of the job);
 * WAITING for a stick; CANCELLED at an operator's request; RETRYING after a recoverable failure
 * while attempts remain, or FAILED with its order dead-lettered. A run that does not deliver gives
 * its slot back first: what its lease names goes, then the lease.
 */
public class JobOutcome {

    public static final String BEAN_NAME = "jobOutcome";
    private static final Logger LOG = LoggerFactory.getLogger(JobOutcome.class);

    private final StickEjector ejector;
    private final RetryPolicy retries;
    private final PipelineMetrics metrics;
    private final Clock clock;

    public JobOutcome(
            StickEjector ejector, RetryPolicy retries, PipelineMetrics metrics, Clock clock) {
        this.ejector = ejector;
        this.retries = retries;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * The stick must still be in its slot, as the same mount: then COMPLETED, with the delivery
     * record, in one transaction with the lease's end and the slot becoming DONE.
     */
    public void complete(@ExchangeProperty(JobContext.PROPERTY) JobContext job) {
        Run run = job.run();
        job.stick().requireStillMounted("before the job was completed");
        TakenSlot taken = job.taken();
        run.complete(
                "Completed: "
                        + job.plan().files().size()
                        + " files, "
                        + job.plan().totalBytes()
                        + " bytes verified in "
                        + job.folder()
                        + ", read back "
                        + job.verifiedBy().label()
                        + " from "
                        + job.stick().describe(),
                new Delivery(
                        taken.slot().name(),
                        taken.stick().id(),
                        taken.stick().serial(),
                        taken.stick().isFolder() ? null : taken.stick().sizeBytes(),
                        taken.stick().fsType(),
                        taken.stick().label(),
                        job.verifiedBy().label(),
                        Sha256.of(job.plan().manifest().getBytes(StandardCharsets.UTF_8)),
                        job.volumeLabel()));
        // Delivered: nothing from here on may take the run to a failure's outcome.
        try {
            if (ejector.enabled()) {
                String notEjected = ejector.eject(job.stick());
                run.log(
                        notEjected == null ? JobLogLevel.INFO : JobLogLevel.WARN,
                        notEjected == null
                                ? "Stick ejected from "
                                        + taken.slot().name()
                                        + ": it can be pulled now"
                                : "Stick not ejected: " + notEjected);
            }
            metrics.jobCompleted();
            LOG.info("Job {} for order {} completed", run.jobId(), run.orderId());
        } catch (RuntimeException afterDelivery) {
            LOG.warn("Job {} completed; then: {}", run.jobId(), afterDelivery.toString());
        } finally {
            endQuietly(run);
        }
    }

    /**
     * The run no longer owns its job (recovered as stalled, claimed again): it stops, changes
     * nothing of the job, and gives back its slot (another run may have taken it over already).
     */
    public FollowUp superseded(Exchange exchange) {
        Run run = runOf(exchange);
        try {
            return superseded(run, caught(exchange, RunSupersededException.class));
        } finally {
            run.end();
        }
    }

    /** No fitting stick is READY: WAITING, holding nothing; the cancel of an operator wins. */
    public FollowUp waitForStick(Exchange exchange) {
        Run run = runOf(exchange);
        try {
            NoStickReadyException noStick = caught(exchange, NoStickReadyException.class);
            giveBackSlot(run);
            try {
                run.waitForStick(
                        noStick.waitingFor(),
                        noStick.because(),
                        noStick.capacityBytes(),
                        noStick.refusedFilesystems());
            } catch (JobCancelledException cancelRequested) {
                return cancel(run);
            }
            run.endStage(Outcome.WAITING);
            LOG.info(
                    "Job {} for order {} waits for {}",
                    run.jobId(),
                    run.orderId(),
                    noStick.waitingFor());
            return FollowUp.none(run.jobId());
        } catch (RunSupersededException superseded) {
            return superseded(run, superseded);
        } finally {
            run.end();
        }
    }

    /** An operator asked the job to stop: CANCELLED at this checkpoint. */
    public FollowUp cancelled(Exchange exchange) {
        Run run = runOf(exchange);
        try {
            giveBackSlot(run);
            return cancel(run);
        } catch (RunSupersededException superseded) {
            return superseded(run, superseded);
        } finally {
            run.end();
        }
    }

    /**
     * Any other failure: RETRYING after its backoff while attempts remain and the failure is
     * recoverable, FAILED otherwise; the answer is what the broker must do next.
     */
    public FollowUp fail(Exchange exchange) {
        Run run = runOf(exchange);
        try {
            Exception cause = caught(exchange, Exception.class);
            run.noteStickFault(JobFailure.of(cause));
            giveBackSlot(run);
            return retryOrFail(run, cause);
        } catch (RunSupersededException superseded) {
            return superseded(run, superseded);
        } finally {
            run.end();
        }
    }

    private FollowUp retryOrFail(Run run, Exception cause) {
        JobFailure failure = JobFailure.of(cause);
        LOG.warn(
                "Job {} for order {} failed in {} with {}: {}",
                run.jobId(),
                run.orderId(),
                run.stage().label(),
                failure.code(),
                failure.getMessage(),
                failure.code() == ErrorCode.INTERNAL_ERROR ? cause : null);
        // A stick's fault gives the attempt back: it is retried even after the order's last one.
        Optional<Duration> delay =
                failure.code().recoverable()
                        ? retries.delayAfter(
                                failure.code().usesAnAttempt()
                                        ? run.attempts()
                                        : run.attempts() - 1)
                        : Optional.empty();
        if (delay.isPresent()) {
            try {
                run.scheduleRetry(
                        failure.code(),
                        "Attempt "
                                + run.attempts()
                                + " failed in "
                                + run.stage().label()
                                + ": "
                                + failure.getMessage()
                                + (failure.code().usesAnAttempt()
                                        ? ""
                                        : " (the stick's fault: the attempt is given back)"),
                        delay.get());
            } catch (JobCancelledException cancelRequested) {
                return cancel(run);
            }
            run.endStage(Outcome.RETRYING);
            metrics.jobRetried(failure.code());
            return FollowUp.run(run.jobId(), clock.instant().plus(delay.get()), run.priority());
        }
        try {
            run.fail(failure.code(), failure.getMessage());
        } catch (JobCancelledException cancelRequested) {
            return cancel(run);
        }
        run.endStage(Outcome.FAILED);
        metrics.jobFailed(failure.code());
        return FollowUp.deadLetter(
                run.jobId(),
                run.orderId(),
                run.orderJson(),
                failure.code(),
                failure.getMessage(),
                run.stage());
    }

    private FollowUp cancel(Run run) {
        run.cancel(
                "Cancelled at a checkpoint in "
                        + run.stage().label()
                        + (run.taken() == null
                                ? ""
                                : "; its folders removed from " + run.taken().slot().name()));
        run.endStage(Outcome.CANCELLED);
        metrics.jobCancelled();
        LOG.info(
                "Job {} for order {} cancelled in {}",
                run.jobId(),
                run.orderId(),
                run.stage().label());
        return FollowUp.none(run.jobId());
    }

    private FollowUp superseded(Run run, Exception why) {
        giveBackSlot(run);
        String message =
                "Attempt "
                        + run.attempts()
                        + " (run "
                        + run.shortToken()
                        + ") stopped in "
                        + run.stage().label()
                        + ", superseded: "
                        + why.getMessage()
                        + ". It changed nothing of the job"
                        + (run.taken() == null
                                ? "."
                                : "; what it wrote on " + run.taken().slot().name() + " is gone.");
        LOG.warn("Job {} for order {}: {}", run.jobId(), run.orderId(), message);
        run.log(JobLogLevel.WARN, message);
        run.endStage(Outcome.SUPERSEDED);
        return FollowUp.none(run.jobId());
    }

    /**
     * What the run's lease names goes, then the lease; a failure to do so leaves it to recovery.
     */
    private static void giveBackSlot(Run run) {
        if (!run.giveBackSlot()) {
            run.log(
                    JobLogLevel.WARN,
                    "What this run wrote on "
                            + run.taken().slot().name()
                            + " could not all be removed; its lease stays for recovery to end");
        }
    }

    /** However a delivered run's last steps went, it stops beating. */
    private static void endQuietly(Run run) {
        try {
            run.end();
        } catch (RuntimeException e) {
            LOG.warn(
                    "Job {}: its last log lines could not be written: {}",
                    run.jobId(),
                    e.toString());
        }
    }

    private static Run runOf(Exchange exchange) {
        return exchange.getProperty(JobContext.PROPERTY, JobContext.class).run();
    }

    /** What the stage threw, or the cause of that type it carries. */
    private static <T extends Exception> T caught(Exchange exchange, Class<T> type) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        for (Throwable cause = caught; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return type.cast(caught);
    }
}
