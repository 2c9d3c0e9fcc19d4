package shop.usb.pipeline.failure;

/** Why a job or a message failed, and whether trying again can help. */
public enum ErrorCode {
    // The confirmation itself is wrong: trying again cannot help.
    INVALID_ORDER(false),
    CONTENT_NOT_FOUND(false),
    PATH_OUTSIDE_LIBRARY(false),
    CAPACITY_EXCEEDED(false),
    // An order past the product's limits (pipeline.order.max-*), refused before the work it would
    // cause.
    TOO_MANY_CONTENT_ENTRIES(false),
    TOO_MANY_FILES(false),
    TOO_MANY_BYTES(false),
    // No stick the station is stocked with could ever take the order (pipeline.usb.stocked-*).
    NO_FITTING_STICK(false),
    // Messages that never became a job.
    NOT_JSON(false),
    MISSING_ORDER_ID(false),
    MESSAGE_TOO_LARGE(false),
    UNSUPPORTED_MESSAGE_TYPE(false),
    // A message on the jobs queue that is not a job id as text (only the product sends there).
    INVALID_JOB_MESSAGE(false),
    // The world around the job failed: trying again later may succeed.
    IO_ERROR(true),
    USB_UNAVAILABLE(true),
    USB_READ_ONLY(true),
    USB_FULL(true),
    // The stick failed to read or write (EIO): its fault, so the attempt is given back; a stick
    // that keeps failing so is FAULTY (pipeline.usb.faulty-after).
    USB_IO_ERROR(true, false),
    // The slot no longer holds the filesystem the job leased: the stick was pulled or unmounted.
    // The stick's fault, not the order's: the attempt is given back.
    USB_REMOVED(true, false),
    // The stick could not be made ready for the order (formatting failed): it is FAULTY, and the
    // attempt is given back.
    STICK_FAULTY(true, false),
    VERIFICATION_FAILED(true),
    // The worker stopped sending heartbeats: the process died or hung mid-job.
    STALLED(true),
    INTERNAL_ERROR(true);

    private final boolean recoverable;
    private final boolean usesAnAttempt;

    ErrorCode(boolean recoverable) {
        this(recoverable, true);
    }

    ErrorCode(boolean recoverable, boolean usesAnAttempt) {
        this.recoverable = recoverable;
        this.usesAnAttempt = usesAnAttempt;
    }

    public boolean recoverable() {
        return recoverable;
    }

    /**
     * Whether a failure counts against the order's attempts: a stick's fault (pulled, unusable)
     * does not, as an infrastructure fault does not.
     */
    public boolean usesAnAttempt() {
        return usesAnAttempt;
    }

    /** Whether the failure counts against the stick it happened on (see USB_IO_ERROR). */
    public boolean faultsTheStick() {
        return this == USB_IO_ERROR;
    }
}
