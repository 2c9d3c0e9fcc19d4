package shop.usb.pipeline.job;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What an operator may do to a job, and from which statuses: the API lists a job's allowed actions
 * ({@code actions: ["cancel"]}) so that no client copies the state machine, and the transitions
 * guard on the same sets.
 */
public enum JobAction {
    /** A waiting job is cancelled at once, a running one asked to stop. */
    CANCEL(JobStatus.CANCELLED.enteredFrom()),
    /** An ended job that did not deliver is queued again with a fresh attempt budget. */
    RETRY(EnumSet.of(JobStatus.FAILED, JobStatus.CANCELLED)),
    /** A delivered stick, brought back, is read back against its manifest. */
    REVERIFY(EnumSet.of(JobStatus.COMPLETED));

    private final Set<JobStatus> allowedFrom;

    JobAction(Set<JobStatus> allowedFrom) {
        this.allowedFrom = allowedFrom;
    }

    public Set<JobStatus> allowedFrom() {
        return allowedFrom;
    }

    /**
     * The actions a job in {@code status} allows; re-verifying needs the stick it was written to.
     */
    public static List<JobAction> allowedFor(JobStatus status, boolean hasStick) {
        return Arrays.stream(values())
                .filter(action -> action.allowedFrom.contains(status))
                .filter(action -> action != REVERIFY || hasStick)
                .toList();
    }

    @JsonValue
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
