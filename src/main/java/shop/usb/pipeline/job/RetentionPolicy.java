package shop.usb.pipeline.job;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * What the job-retention route deletes: COMPLETED and CANCELLED jobs that ended more than {@code
 * pipeline.retention} ago (FAILED jobs stay for operators), audit entries older than {@code
 * pipeline.audit.retention}, status events sent more than {@code pipeline.events.retention} ago; at
 * most {@code pipeline.retention.batch-size} rows per transaction.
 */
public class RetentionPolicy {

    public static final String BEAN_NAME = "retentionPolicy";

    private final Duration jobs;
    private final Duration audit;
    private final Duration statusEvents;
    private final int batchSize;
    private final Clock clock;

    public RetentionPolicy(
            Duration jobs, Duration audit, Duration statusEvents, int batchSize, Clock clock) {
        this.jobs = jobs;
        this.audit = audit;
        this.statusEvents = statusEvents;
        this.batchSize = batchSize;
        this.clock = clock;
    }

    public int batchSize() {
        return batchSize;
    }

    public OffsetDateTime jobsEndedBefore() {
        return before(jobs);
    }

    public OffsetDateTime auditEntriesBefore() {
        return before(audit);
    }

    public OffsetDateTime statusEventsSentBefore() {
        return before(statusEvents);
    }

    private OffsetDateTime before(Duration retention) {
        return clock.instant().minus(retention).atOffset(ZoneOffset.UTC);
    }
}
