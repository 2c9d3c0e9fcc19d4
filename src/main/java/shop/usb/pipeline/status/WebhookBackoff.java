package shop.usb.pipeline.status;

import java.time.Duration;
import java.util.Optional;

/**
 * When a failed webhook post is tried again: after {@code first}, doubling up to {@code max}
 * between tries, for {@code retryFor} in all; after that the event is parked.
 */
public record WebhookBackoff(Duration first, Duration max, Duration retryFor) {

    /**
     * After the {@code attempts}-th failed post (1 for the first): how long until the next, or
     * empty when the waits so far and the next would pass {@code retryFor} (park it).
     */
    public Optional<Duration> next(int attempts) {
        Duration waited = Duration.ZERO;
        for (int attempt = 1; attempt < attempts; attempt++) {
            waited = waited.plus(delay(attempt));
        }
        Duration next = delay(attempts);
        return waited.plus(next).compareTo(retryFor) > 0 ? Optional.empty() : Optional.of(next);
    }

    private Duration delay(int attempt) {
        Duration delay = first;
        for (int i = 1; i < attempt && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) < 0 ? delay : max;
    }
}
