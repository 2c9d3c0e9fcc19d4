package shop.usb.pipeline.intake;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import shop.usb.pipeline.content.ContentRequest;

/** A confirmed order that passed schema validation. */
public record OrderConfirmation(
        String orderId,
        OffsetDateTime confirmedAt,
        Priority priority,
        String customerName,
        long capacityBytes,
        String usbLabel,
        List<ContentRequest> content) {

    public enum Priority {
        LOW,
        NORMAL,
        HIGH;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
