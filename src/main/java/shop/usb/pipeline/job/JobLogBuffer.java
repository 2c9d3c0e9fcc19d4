package shop.usb.pipeline.job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Log lines of the jobs running in this process that are not written yet. They go to the database
 * with the job's next status change, or with a progress write once the oldest has waited a progress
 * interval: a small job's whole story then costs one batch instead of a commit per line. One thread
 * does a run, so each run's list has one writer; a run that lost its job keeps its lines apart.
 */
final class JobLogBuffer {

    /** A line as it happened; {@code at} becomes its logged_at. */
    record Line(Instant at, JobLogLevel level, Stage stage, String message, String errorCode) {}

    private final Map<JobRun, List<Line>> pending = new ConcurrentHashMap<>();
    private final Duration maxDelay;
    private final Clock clock;

    JobLogBuffer(Duration maxDelay, Clock clock) {
        this.maxDelay = maxDelay;
        this.clock = clock;
    }

    void add(JobRun run, Line line) {
        pending.computeIfAbsent(run, id -> new ArrayList<>()).add(line);
    }

    /** The job's pending lines followed by {@code last}, which is not kept. */
    List<Line> pendingFollowedBy(JobRun run, Line last) {
        List<Line> lines = new ArrayList<>(pending.getOrDefault(run, List.of()));
        lines.add(last);
        return lines;
    }

    /** True when the job's oldest pending line has waited long enough. */
    boolean due(JobRun run) {
        List<Line> lines = pending.get(run);
        return lines != null
                && !lines.isEmpty()
                && !lines.get(0).at().plus(maxDelay).isAfter(clock.instant());
    }

    /** Removes and returns the job's pending lines (written, or about to be). */
    List<Line> take(JobRun run) {
        List<Line> lines = pending.remove(run);
        return lines == null ? List.of() : lines;
    }
}
