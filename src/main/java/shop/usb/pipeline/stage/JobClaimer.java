package shop.usb.pipeline.stage;

import java.time.Clock;
import java.util.Optional;

import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.job.ClaimedJob;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.JobRepository;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.job.LiveRuns;
import shop.usb.pipeline.ops.metrics.PipelineMetrics;

/**
 * Turns a job message into a running job. The table decides: a job that is not QUEUED or RETRYING
 * (already running elsewhere, finished, cancelled) is skipped, which makes a duplicate message
 * harmless. A message that came before the job's due time by the database's clock (the broker's
 * clock is ahead) is sent again for the time that is left, so the job is not left to the overdue sweep.
 */
public class JobClaimer {

    public static final String BEAN_NAME = "jobClaimer";
    /** Set instead of {@link JobContext#PROPERTY} when the job message has to come again later. */
    public static final String FOLLOW_UP = "followUp";
    private static final Logger LOG = LoggerFactory.getLogger(JobClaimer.class);

    private final JobRepository jobs;
    private final LiveRuns liveRuns;
    private final String instanceId;
    private final PipelineMetrics metrics;
    private final Clock clock;

    public JobClaimer(JobRepository jobs, LiveRuns liveRuns, String instanceId, PipelineMetrics metrics, Clock clock) {
        this.jobs = jobs;
        this.liveRuns = liveRuns;
        this.instanceId = instanceId;
        this.metrics = metrics;
        this.clock = clock;
    }

    public void claim(Exchange exchange) throws InvalidPayloadException {
        String jobId = exchange.getMessage().getMandatoryBody(String.class).trim();
        JobRun run = JobRun.of(jobId);
        liveRuns.claiming(run);
        Optional<ClaimedJob> claimed;
        try {
            claimed = jobs.claim(run, instanceId);
        } catch (RuntimeException e) {
            liveRuns.end(run);
            throw e;
        }
        claimed.ifPresentOrElse(
                job -> {
                    liveRuns.claimed(run);
                    metrics.jobStarted();
                    exchange.setProperty(JobContext.PROPERTY, new JobContext(job, metrics));
                },
                () -> notClaimed(exchange, run));
    }

    private void notClaimed(Exchange exchange, JobRun run) {
        liveRuns.end(run);
        String jobId = run.jobId();
        jobs.dueIn(jobId).ifPresentOrElse(
                due -> {
                    LOG.info("Job {} is due in {} ms by the database's clock; its job message comes again then",
                            jobId, due.in().toMillis());
                    exchange.setProperty(FOLLOW_UP, FollowUp.run(jobId, clock.instant().plus(due.in()), due.priority()));
                },
                () -> LOG.info("Job {} is not waiting to run; message ignored", jobId));
    }
}
