package shop.usb.pipeline.intake.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.intake.FieldError;

/**
 * One order of a manifest as read: its line, the orderId when one could be read, and either the
 * confirmation as JSON or the problems (with their code) that kept the line from becoming one.
 */
public record ManifestEntry(
        int line, String orderId, JsonNode order, ErrorCode code, List<FieldError> problems) {

    static ManifestEntry of(int line, String orderId, JsonNode order) {
        return new ManifestEntry(line, orderId, order, null, List.of());
    }

    static ManifestEntry broken(int line, String orderId, List<FieldError> problems) {
        return new ManifestEntry(
                line, orderId, null, ErrorCode.INVALID_ORDER, List.copyOf(problems));
    }

    /** An order larger than a confirmation may be, skipped without being read. */
    static ManifestEntry tooLarge(int line, String reason) {
        return new ManifestEntry(
                line,
                null,
                null,
                ErrorCode.MESSAGE_TOO_LARGE,
                List.of(new FieldError("$", reason)));
    }
}
