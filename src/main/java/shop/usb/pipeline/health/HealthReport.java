package shop.usb.pipeline.health;

import java.util.List;

/** The pipeline's verdict and the conditions behind it; GET /api/health answers it as JSON. */
public record HealthReport(Status status, List<Issue> issues) {

    public enum Status {
        healthy,
        degraded,
        unhealthy
    }

    /**
     * One condition off its threshold: what, its figure now, the limit it crossed, and what that
     * makes the pipeline.
     */
    public record Issue(
            String condition, Object figure, Object threshold, Status severity, String message) {}

    static HealthReport of(List<Issue> issues) {
        Status worst = Status.healthy;
        for (Issue issue : issues) {
            if (issue.severity().compareTo(worst) > 0) {
                worst = issue.severity();
            }
        }
        return new HealthReport(worst, List.copyOf(issues));
    }
}
