package shop.usb.pipeline.job;

import java.time.Instant;
import java.util.Map;

/**
 * Jobs per status, the average run time of completed jobs, and when the oldest queued job came in.
 */
public record StatusSummary(
        Map<JobStatus, Long> counts, Double avgCompletedDurationMs, Instant oldestQueuedAt) {

    public long count(JobStatus status) {
        return counts.getOrDefault(status, 0L);
    }

    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
