package shop.usb.pipeline.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The webhook's waits between failed posts, and when an event is parked. */
class WebhookBackoffTest {

    @Test
    void waitsDoubleUpToTheMaximumAndTheEventIsParkedOnceTheyWouldPassRetryFor() {
        WebhookBackoff backoff =
                new WebhookBackoff(
                        Duration.ofSeconds(10), Duration.ofMinutes(30), Duration.ofHours(6));

        List<Duration> waits = new ArrayList<>();
        Optional<Duration> next;
        for (int attempts = 1; (next = backoff.next(attempts)).isPresent(); attempts++) {
            waits.add(next.get());
        }

        assertThat(waits.subList(0, 6))
                .containsExactly(
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(20),
                        Duration.ofSeconds(40),
                        Duration.ofSeconds(80),
                        Duration.ofSeconds(160),
                        Duration.ofSeconds(320));
        assertThat(waits).contains(Duration.ofMinutes(30)).allMatch(wait -> wait.toMinutes() <= 30);
        Duration total = waits.stream().reduce(Duration.ZERO, Duration::plus);
        assertThat(total).isLessThanOrEqualTo(Duration.ofHours(6));
        assertThat(total.plus(Duration.ofMinutes(30))).isGreaterThan(Duration.ofHours(6));
    }
}
