package shop.usb.pipeline.intake.manifest;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import shop.usb.pipeline.intake.FieldError;

/**
 * One order of a manifest as read: its line, the orderId when one could be read, and either the
 * confirmation as JSON or the problems that kept the line from becoming one.
 */
public record ManifestEntry(int line, String orderId, JsonNode order, List<FieldError> problems) {

    static ManifestEntry of(int line, String orderId, JsonNode order) {
        return new ManifestEntry(line, orderId, order, List.of());
    }

    static ManifestEntry broken(int line, String orderId, List<FieldError> problems) {
        return new ManifestEntry(line, orderId, null, List.copyOf(problems));
    }
}
