package shop.usb.pipeline.metrics;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import shop.usb.pipeline.job.JobStatistics;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.StatusSummary;

/** The job table's status counts for the gauges: one query serves every gauge of a scrape. */
public final class CachedStatusCounts implements PipelineMetrics.StatusCounts {

    private static final Duration FRESH_FOR = Duration.ofSeconds(1);

    private final JobStatistics statistics;
    private final Clock clock;
    private StatusSummary summary;
    private Instant readAt = Instant.MIN;

    public CachedStatusCounts(JobStatistics statistics, Clock clock) {
        this.statistics = statistics;
        this.clock = clock;
    }

    @Override
    public long count(JobStatus status) {
        return current().count(status);
    }

    @Override
    public Instant oldestQueuedAt() {
        return current().oldestQueuedAt();
    }

    private synchronized StatusSummary current() {
        Instant now = clock.instant();
        if (summary == null || now.isAfter(readAt.plus(FRESH_FOR))) {
            summary = statistics.statusSummary();
            readAt = now;
        }
        return summary;
    }
}
