package shop.usb.pipeline.job;

import java.time.Duration;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The overdue-job-resend route's Java: what counts as overdue (a due time past by {@code
 * overdueAfter}, or QUEUED without one for {@code queuedOverdueAfter}, since a backlog on the
 * broker keeps such jobs waiting legitimately), and the job message for a job the route claimed.
 */
public class OverdueJobs {

    public static final String BEAN_NAME = "overdueJobs";
    private static final Logger LOG = LoggerFactory.getLogger(OverdueJobs.class);

    private final Duration overdueAfter;
    private final Duration queuedOverdueAfter;

    public OverdueJobs(Duration overdueAfter, Duration queuedOverdueAfter) {
        this.overdueAfter = overdueAfter;
        this.queuedOverdueAfter = queuedOverdueAfter;
    }

    /** The parameters of find-overdue-jobs.sql and touch-overdue-job.sql, as headers. */
    public void thresholds(@Headers Map<String, Object> headers) {
        headers.put("waiting", JobStatus.waitingNames());
        headers.put("overdueAfterMs", overdueAfter.toMillis());
        headers.put("queuedOverdueAfterMs", queuedOverdueAfter.toMillis());
    }

    /** A row of find-overdue-jobs.sql whose re-send this instance claimed: its job message now. */
    public FollowUp resend(@Body Map<String, Object> job) {
        String id = (String) job.get("id");
        LOG.warn(
                "Job {} should have run by now (due more than {} ago, or QUEUED for more than {});"
                        + " sending its job message again",
                id,
                overdueAfter,
                queuedOverdueAfter);
        return FollowUp.run(id, null, (String) job.get("priority"));
    }
}
