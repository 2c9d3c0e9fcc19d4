package shop.usb.pipeline.ops;

import java.util.List;
import shop.usb.pipeline.intake.FieldError;

/** An HTTP error the API answers with: status, a code, a message, and the failing fields if any. */
public class ApiProblem extends RuntimeException {

    private final int status;
    private final String code;
    private final transient List<FieldError> fields;

    public ApiProblem(int status, String code, String message, List<FieldError> fields) {
        super(message);
        this.status = status;
        this.code = code;
        this.fields = List.copyOf(fields);
    }

    public static ApiProblem badRequest(String field, String reason) {
        return new ApiProblem(
                400, "BAD_REQUEST", field + ": " + reason, List.of(new FieldError(field, reason)));
    }

    public static ApiProblem notFound(String what) {
        return new ApiProblem(404, "NOT_FOUND", what + " does not exist", List.of());
    }

    /** A fault of the product: the log has the cause, the caller learns nothing of it. */
    public static ApiProblem internalError() {
        return new ApiProblem(
                500, "INTERNAL_ERROR", "The request failed; see the server log", List.of());
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public List<FieldError> fields() {
        return fields;
    }
}
