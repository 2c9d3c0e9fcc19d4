package shop.usb.pipeline.job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes COMPLETED and CANCELLED jobs that ended longer than pipeline.retention ago, with their
 * log lines, in bounded batches so no transaction holds many rows. FAILED jobs stay for operators.
 */
public class JobRetention {

    public static final String BEAN_NAME = "jobRetention";
    private static final Logger LOG = LoggerFactory.getLogger(JobRetention.class);

    private final JobRepository jobs;
    private final Duration retention;
    private final int batchSize;
    private final Clock clock;

    public JobRetention(JobRepository jobs, Duration retention, int batchSize, Clock clock) {
        this.jobs = jobs;
        this.retention = retention;
        this.batchSize = batchSize;
        this.clock = clock;
    }

    /** Returns how many jobs were deleted. */
    public int purge() {
        Instant before = clock.instant().minus(retention);
        int total = 0;
        int deleted;
        do {
            deleted = jobs.deleteEnded(before, batchSize);
            total += deleted;
        } while (deleted == batchSize);
        if (total > 0) {
            LOG.info("Deleted {} COMPLETED or CANCELLED jobs that ended before {}", total, before);
        }
        return total;
    }
}
