package shop.usb.pipeline.stage;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.job.DeadLetter;
import shop.usb.pipeline.job.ErrorCode;
import shop.usb.pipeline.job.IllegalTransitionException;
import shop.usb.pipeline.job.JobFailure;
import shop.usb.pipeline.job.JobRepository;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.usb.UsbMountAllocator;

/** How a job run ends: COMPLETED, or FAILED with its error recorded and the order dead-lettered. */
public class JobOutcome {

    public static final String BEAN_NAME = "jobOutcome";
    private static final Logger LOG = LoggerFactory.getLogger(JobOutcome.class);

    private final JobRepository jobs;
    private final UsbMountAllocator mounts;

    public JobOutcome(JobRepository jobs, UsbMountAllocator mounts) {
        this.jobs = jobs;
        this.mounts = mounts;
    }

    public void complete(@ExchangeProperty(JobContext.PROPERTY) JobContext job) {
        jobs.complete(job.id(), job.job().startedAt(), "Completed: " + job.plan().files().size() + " files, "
                + job.plan().totalBytes() + " bytes verified in " + job.folder());
        mounts.release(job.id());
        LOG.info("Job {} for order {} completed", job.id(), job.job().orderId());
    }

    /** Called by the error handler with the exception a stage threw; leaves the order ready to dead-letter. */
    public void fail(Exchange exchange) {
        JobContext job = exchange.getProperty(JobContext.PROPERTY, JobContext.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        JobFailure failure = cause instanceof JobFailure known
                ? known
                : new JobFailure(ErrorCode.INTERNAL_ERROR, String.valueOf(cause), cause);
        Stage stage = job.stage();
        mounts.release(job.id());
        try {
            jobs.fail(job.id(), stage, job.job().startedAt(), failure.code(), failure.getMessage());
        } catch (IllegalTransitionException e) {
            LOG.warn("Job {} failed in {} but could not be marked FAILED: {}", job.id(), stage.label(), e.getMessage());
        }
        LOG.warn("Job {} for order {} failed in {} with {}: {}", job.id(), job.job().orderId(), stage.label(),
                failure.code(), failure.getMessage(), failure.code() == ErrorCode.INTERNAL_ERROR ? cause : null);
        DeadLetter.prepare(exchange.getMessage(), job.job().orderJson(), failure.code(), failure.getMessage(), stage,
                job.job().orderId());
    }
}
