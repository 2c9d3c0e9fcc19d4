package shop.usb.pipeline.job;

import java.time.Instant;

/** Counts the health verdict and the queue view rest on, read in one query. */
public record JobFigures(
        long completedLastHour,
        long failedLastHour,
        long completedLastDay,
        long stalled,
        Instant oldestQueuedAt) {

    /** Completed among the jobs that ended in the last hour, or null when none ended. */
    public Double successRateLastHour() {
        long ended = completedLastHour + failedLastHour;
        return ended == 0 ? null : (double) completedLastHour / ended;
    }
}
