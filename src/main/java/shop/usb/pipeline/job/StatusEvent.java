package shop.usb.pipeline.job;

import java.util.LinkedHashMap;
import java.util.Map;
import shop.usb.pipeline.failure.ErrorCode;

/**
 * What the shop hears of one transition of its order: the CloudEvent's type and its data. Each
 * factory names one transition; every event's data also carries the job's id and its status after
 * the transition (added by {@link StatusOutbox}).
 */
public record StatusEvent(Type type, JobStatus status, Map<String, Object> data) {

    /** Longest message an event carries; the job's own record keeps the whole text. */
    static final int MESSAGE_CHARS = 1000;

    /** The CloudEvent types, {@code shop.usb.order.<name>}. */
    public enum Type {
        ACCEPTED("accepted"),
        DUPLICATE("duplicate"),
        QUEUED("queued"),
        PROCESSING("processing"),
        WAITING("waiting"),
        COMPLETED("completed"),
        FAILED("failed"),
        CANCELLED("cancelled"),
        HANDED_OVER("handed-over"),
        REVERIFIED("reverified");

        private final String ceType;

        Type(String name) {
            this.ceType = "shop.usb.order." + name;
        }

        public String ceType() {
            return ceType;
        }
    }

    static StatusEvent accepted(String priority) {
        return new StatusEvent(Type.ACCEPTED, JobStatus.QUEUED, data("priority", priority));
    }

    /** The order was confirmed again; its job, in {@code status}, stays the only one. */
    public static StatusEvent duplicate(JobStatus status) {
        return new StatusEvent(Type.DUPLICATE, status, Map.of());
    }

    /** Queued again: a stick was kept for it, or an operator retried it. */
    static StatusEvent queued(String because) {
        return new StatusEvent(Type.QUEUED, JobStatus.QUEUED, data("reason", because));
    }

    static StatusEvent processing() {
        return new StatusEvent(Type.PROCESSING, JobStatus.PROCESSING, Map.of());
    }

    static StatusEvent waiting(String waitingFor, String because) {
        return new StatusEvent(
                Type.WAITING,
                JobStatus.WAITING,
                data("waitingFor", waitingFor, "reason", cut(because)));
    }

    static StatusEvent completed(Delivery delivery) {
        return new StatusEvent(
                Type.COMPLETED,
                JobStatus.COMPLETED,
                data(
                        "slot", delivery.slot(),
                        "stickId", delivery.stickId(),
                        "stickSerial", delivery.stickSerial(),
                        "label", delivery.volumeLabel(),
                        "verifiedBy", delivery.verifiedBy(),
                        "manifestSha256", delivery.manifestSha256()));
    }

    /** FAILED, or RETRYING when {@code status} says it will be retried. */
    static StatusEvent failed(JobStatus status, ErrorCode code, String message) {
        Map<String, Object> data =
                data("code", code == null ? null : code.name(), "message", cut(message));
        data.put("willRetry", status == JobStatus.RETRYING);
        return new StatusEvent(Type.FAILED, status, data);
    }

    /** Who cancelled stays in the job's log: an operator's name is not the shop's business. */
    static StatusEvent cancelled() {
        return new StatusEvent(Type.CANCELLED, JobStatus.CANCELLED, Map.of());
    }

    /** The operator took the stick with the order out of its slot. */
    public static StatusEvent handedOver(String slot, String stickId) {
        return new StatusEvent(
                Type.HANDED_OVER, JobStatus.COMPLETED, data("slot", slot, "stickId", stickId));
    }

    static StatusEvent reverified(boolean asWritten, String result) {
        Map<String, Object> data = data("result", cut(result));
        data.put("asWritten", asWritten);
        return new StatusEvent(Type.REVERIFIED, JobStatus.COMPLETED, data);
    }

    /** Pairs of name and value; a null value is left out. */
    private static Map<String, Object> data(String... pairs) {
        Map<String, Object> data = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                data.put(pairs[i], pairs[i + 1]);
            }
        }
        return data;
    }

    private static String cut(String text) {
        return JobRows.truncate(text, MESSAGE_CHARS);
    }
}
