package shop.usb.pipeline.job;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A job's lifecycle. Each status names the statuses it may be entered from; every status change in
 * SQL is guarded on them ({@code status IN (:from)}), and no SQL file repeats them.
 */
public enum JobStatus {
    QUEUED,
    PROCESSING,
    RETRYING,
    /**
     * Selected, but no fitting stick is READY: holds no worker, uses no attempt, carries no error.
     */
    WAITING,
    COMPLETED,
    FAILED,
    CANCELLED;

    public Set<JobStatus> enteredFrom() {
        return switch (this) {
            case QUEUED -> EnumSet.of(FAILED, CANCELLED, WAITING);
            case PROCESSING -> EnumSet.of(QUEUED, RETRYING);
            case RETRYING -> EnumSet.of(PROCESSING);
            case WAITING -> EnumSet.of(PROCESSING);
            case COMPLETED -> EnumSet.of(PROCESSING);
            case FAILED -> EnumSet.of(PROCESSING, RETRYING);
            case CANCELLED -> EnumSet.of(QUEUED, RETRYING, WAITING, PROCESSING);
        };
    }

    /** The guard as SQL parameter values: {@code WHERE status IN (:from)}. */
    public List<String> enteredFromNames() {
        return enteredFrom().stream().map(Enum::name).toList();
    }

    /** Jobs waiting to run: the statuses a claim takes a job from. */
    public static List<String> waitingNames() {
        return PROCESSING.enteredFromNames();
    }

    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
