package shop.usb.pipeline.job;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** A job's lifecycle. Each status names the statuses it may be entered from; SQL guards on them. */
public enum JobStatus {
    QUEUED,
    PROCESSING,
    RETRYING,
    COMPLETED,
    FAILED,
    CANCELLED;

    public Set<JobStatus> enteredFrom() {
        return switch (this) {
            case QUEUED -> EnumSet.of(FAILED, CANCELLED);
            case PROCESSING -> EnumSet.of(QUEUED, RETRYING);
            case RETRYING -> EnumSet.of(PROCESSING);
            case COMPLETED -> EnumSet.of(PROCESSING);
            case FAILED -> EnumSet.of(PROCESSING, RETRYING);
            case CANCELLED -> EnumSet.of(QUEUED, RETRYING, PROCESSING);
        };
    }

    /** The guard as SQL parameter values: {@code WHERE status IN (:from)}. */
    public List<String> enteredFromNames() {
        return enteredFrom().stream().map(Enum::name).toList();
    }

    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
