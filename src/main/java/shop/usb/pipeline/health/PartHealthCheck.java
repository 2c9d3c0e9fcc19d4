package shop.usb.pipeline.health;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A readiness check for one part the pipeline needs: DOWN with the problem, UP when there is none.
 */
public final class PartHealthCheck extends AbstractHealthCheck {

    private final Supplier<Optional<String>> problem;

    public PartHealthCheck(String id, Supplier<Optional<String>> problem) {
        super("pipeline", id);
        this.problem = problem;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        problem.get().ifPresentOrElse(message -> builder.down().message(message), builder::up);
    }
}
