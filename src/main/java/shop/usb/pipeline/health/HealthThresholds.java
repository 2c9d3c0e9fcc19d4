package shop.usb.pipeline.health;

import java.time.Duration;

/** When the pipeline counts as degraded or unhealthy (pipeline.health.* settings). */
public record HealthThresholds(
        double successRateDegradedBelow,
        double successRateUnhealthyBelow,
        long stalledDegradedAbove,
        long stalledUnhealthyAbove,
        long backlogDegradedAbove,
        Duration oldestQueuedDegradedAfter,
        Duration stalledAfter) {}
