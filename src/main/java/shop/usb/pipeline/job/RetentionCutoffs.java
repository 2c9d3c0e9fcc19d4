package shop.usb.pipeline.job;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * How old a record must be before the job-retention route deletes it: COMPLETED and CANCELLED jobs
 * that ended before {@code pipeline.retention} ago (FAILED jobs stay for operators), audit entries
 * older than {@code pipeline.audit.retention}.
 */
public class RetentionCutoffs {

    public static final String BEAN_NAME = "retentionCutoffs";

    private final Duration jobs;
    private final Duration audit;
    private final Clock clock;

    public RetentionCutoffs(Duration jobs, Duration audit, Clock clock) {
        this.jobs = jobs;
        this.audit = audit;
        this.clock = clock;
    }

    public OffsetDateTime jobsEndedBefore() {
        return before(jobs);
    }

    public OffsetDateTime auditEntriesBefore() {
        return before(audit);
    }

    private OffsetDateTime before(Duration retention) {
        return clock.instant().minus(retention).atOffset(ZoneOffset.UTC);
    }
}
