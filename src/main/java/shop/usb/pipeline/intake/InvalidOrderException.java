package shop.usb.pipeline.intake;

import java.util.List;
import java.util.stream.Collectors;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;

/** A confirmation that breaks the message contract; lists every failing field. */
public class InvalidOrderException extends JobFailure {

    private final transient List<FieldError> errors;

    public InvalidOrderException(List<FieldError> errors) {
        super(
                ErrorCode.INVALID_ORDER,
                errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
