package shop.usb.pipeline.ops.health;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import shop.usb.pipeline.ops.health.HealthReport.Issue;
import shop.usb.pipeline.ops.health.HealthReport.Status;

/** The pipeline verdict as a readiness check: degraded stays UP (with details), unhealthy is DOWN. */
public final class PipelineHealthCheck extends AbstractHealthCheck {

    private final PipelineHealth health;

    public PipelineHealthCheck(PipelineHealth health) {
        super("pipeline", "pipeline");
        this.health = health;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        HealthReport report = health.evaluate();
        builder.detail("verdict", report.status().name());
        for (Issue issue : report.issues()) {
            builder.detail(issue.condition(), issue.severity() + ": " + issue.message());
        }
        if (report.status() == Status.unhealthy) {
            builder.down().message("unhealthy: " + report.issues().stream().map(Issue::message).toList());
        } else {
            builder.up();
        }
    }
}
