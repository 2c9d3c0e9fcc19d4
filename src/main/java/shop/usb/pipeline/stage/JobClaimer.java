package shop.usb.pipeline.stage;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.job.JobRepository;
import shop.usb.pipeline.ops.metrics.PipelineMetrics;

/**
 * Turns a job message into a running job. The table decides: a job that is not QUEUED or RETRYING
 * (already running elsewhere, finished, cancelled) is skipped, which makes a duplicate message harmless.
 */
public class JobClaimer {

    public static final String BEAN_NAME = "jobClaimer";
    private static final Logger LOG = LoggerFactory.getLogger(JobClaimer.class);

    private final JobRepository jobs;
    private final String instanceId;
    private final PipelineMetrics metrics;

    public JobClaimer(JobRepository jobs, String instanceId, PipelineMetrics metrics) {
        this.jobs = jobs;
        this.instanceId = instanceId;
        this.metrics = metrics;
    }

    public void claim(Exchange exchange) throws org.apache.camel.InvalidPayloadException {
        String jobId = exchange.getMessage().getMandatoryBody(String.class).trim();
        jobs.claim(jobId, instanceId).ifPresentOrElse(
                job -> {
                    metrics.jobStarted();
                    exchange.setProperty(JobContext.PROPERTY, new JobContext(job, metrics));
                },
                () -> LOG.info("Job {} is not waiting to run; message ignored", jobId));
    }
}
