package shop.usb.pipeline.failure;

/** A classified failure of a job; the message names the field, path or mount concerned. */
public class JobFailure extends RuntimeException {

    private final ErrorCode code;
    private final String field;
    private final String reason;

    public JobFailure(ErrorCode code, String message) {
        this(code, null, message, null);
    }

    public JobFailure(ErrorCode code, String message, Throwable cause) {
        this(code, null, message, cause);
    }

    private JobFailure(ErrorCode code, String field, String reason, Throwable cause) {
        super(field == null ? reason : field + ": " + reason, cause);
        this.code = code;
        this.field = field;
        this.reason = reason;
    }

    /** A failure of one field of the confirmation, such as {@code content[1].file}. */
    public static JobFailure ofField(ErrorCode code, String field, String reason) {
        return new JobFailure(code, field, reason, null);
    }

    public static JobFailure ofField(ErrorCode code, String field, String reason, Throwable cause) {
        return new JobFailure(code, field, reason, cause);
    }

    /** The failure as classified, or an unexpected exception as a recoverable INTERNAL_ERROR. */
    public static JobFailure of(Throwable cause) {
        return cause instanceof JobFailure known
                ? known
                : new JobFailure(ErrorCode.INTERNAL_ERROR, String.valueOf(cause), cause);
    }

    public ErrorCode code() {
        return code;
    }

    /** The failing field of the confirmation, or null when the failure is not about one field. */
    public String field() {
        return field;
    }

    /** The message without the field name. */
    public String reason() {
        return reason;
    }
}
