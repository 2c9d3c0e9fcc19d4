package shop.usb.pipeline.job;

import java.time.Instant;
import shop.usb.pipeline.failure.ErrorCode;

/**
 * What has to happen on the broker after a job changed status: run it (now or at a time), or
 * dead-letter its order. The job-follow-up route carries it out.
 */
public final class FollowUp {

    public enum Kind {
        RUN,
        DEAD_LETTER,
        NONE
    }

    private final Kind kind;
    private final String jobId;
    private final Instant runAt;
    private final String orderJson;
    private final ErrorCode code;
    private final String reason;
    private final Stage stage;
    private final String orderId;
    private final String priority;
    private final String station;

    private FollowUp(
            Kind kind,
            String jobId,
            Instant runAt,
            String orderJson,
            ErrorCode code,
            String reason,
            Stage stage,
            String orderId,
            String priority,
            String station) {
        this.kind = kind;
        this.jobId = jobId;
        this.runAt = runAt;
        this.orderJson = orderJson;
        this.code = code;
        this.reason = reason;
        this.stage = stage;
        this.orderId = orderId;
        this.priority = priority;
        this.station = station;
    }

    /**
     * Run the job now (or at {@code at}); its job message carries the order's priority (low,
     * normal, high).
     */
    public static FollowUp run(String jobId, Instant at, String priority) {
        return new FollowUp(Kind.RUN, jobId, at, null, null, null, null, null, priority, null);
    }

    /**
     * Run the job now on {@code station} alone: a stick there is kept for it, a promise other
     * stations do not take (its job message carries the station, which their selectors refuse).
     */
    public static FollowUp runOn(String station, String jobId, String priority) {
        return new FollowUp(Kind.RUN, jobId, null, null, null, null, null, null, priority, station);
    }

    public static FollowUp deadLetter(
            String jobId,
            String orderId,
            String orderJson,
            ErrorCode code,
            String reason,
            Stage stage) {
        return new FollowUp(
                Kind.DEAD_LETTER, jobId, null, orderJson, code, reason, stage, orderId, null, null);
    }

    public static FollowUp none(String jobId) {
        return new FollowUp(Kind.NONE, jobId, null, null, null, null, null, null, null, null);
    }

    /** Read by the route's choice ({@code ${body.kind}}). */
    public Kind getKind() {
        return kind;
    }

    public String jobId() {
        return jobId;
    }

    public Instant runAt() {
        return runAt;
    }

    public String orderJson() {
        return orderJson;
    }

    public ErrorCode code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    public Stage stage() {
        return stage;
    }

    public String orderId() {
        return orderId;
    }

    public String priority() {
        return priority;
    }

    /** The station the job must run on, or null for any. */
    public String station() {
        return station;
    }
}
