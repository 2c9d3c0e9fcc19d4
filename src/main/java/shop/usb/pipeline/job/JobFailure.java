package shop.usb.pipeline.job;

/** A classified failure of a job; the message names the field, path or mount concerned. */
public class JobFailure extends RuntimeException {

    private final ErrorCode code;

    public JobFailure(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public JobFailure(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
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
}
