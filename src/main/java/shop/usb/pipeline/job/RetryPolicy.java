package shop.usb.pipeline.job;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how late a recoverable failure is tried again. Either a fixed list of delays
 * (pipeline.retry.delays) or initial delay × multiplier^n capped at a maximum; both with jitter.
 */
public record RetryPolicy(
        int maxAttempts,
        List<Duration> delays,
        Duration initialDelay,
        double multiplier,
        Duration maxDelay,
        double jitter) {

    /** The wait before the next attempt, or empty when {@code attemptsSoFar} used up the budget. */
    public Optional<Duration> delayAfter(int attemptsSoFar) {
        if (attemptsSoFar >= maxAttempts) {
            return Optional.empty();
        }
        int retry = Math.max(1, attemptsSoFar);
        long base =
                delays.isEmpty()
                        ? Math.min(
                                maxDelay.toMillis(),
                                (long) (initialDelay.toMillis() * Math.pow(multiplier, retry - 1)))
                        : delays.get(Math.min(retry, delays.size()) - 1).toMillis();
        double spread = jitter <= 0 ? 0 : ThreadLocalRandom.current().nextDouble(-jitter, jitter);
        return Optional.of(Duration.ofMillis(Math.max(0, Math.round(base * (1 + spread)))));
    }
}
