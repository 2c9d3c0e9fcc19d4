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

    public ErrorCode code() {
        return code;
    }
}
