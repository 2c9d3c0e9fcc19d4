package shop.usb.pipeline.ops;

import jakarta.jms.JMSException;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jms.JmsException;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.health.BrokerAwayException;
import shop.usb.pipeline.intake.FieldError;
import shop.usb.pipeline.intake.InvalidOrderException;

/** Turns any exception of an API route into a JSON answer; never a stack trace. */
public class ApiErrors {

    public static final String BEAN_NAME = "apiErrors";
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);
    private static final String RETRY_AFTER_SECONDS = "5";

    public Map<String, Object> answer(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        ApiProblem problem;
        if (cause instanceof ApiProblem known) {
            problem = known;
        } else if (cause instanceof InvalidOrderException invalid) {
            problem =
                    new ApiProblem(
                            400, invalid.code().name(), invalid.getMessage(), invalid.errors());
        } else if (cause instanceof JobFailure failure && !failure.code().recoverable()) {
            problem =
                    new ApiProblem(
                            400,
                            failure.code().name(),
                            failure.getMessage(),
                            List.<FieldError>of());
        } else if (cause instanceof BrokerAwayException away) {
            problem = new ApiProblem(503, "BROKER_UNAVAILABLE", away.getMessage(), List.of());
        } else if (causedBy(cause, JMSException.class, JmsException.class)) {
            LOG.warn("API request failed, the broker is away: {}", cause.toString());
            problem =
                    new ApiProblem(
                            503,
                            "BROKER_UNAVAILABLE",
                            "The broker cannot be reached; try again shortly",
                            List.of());
        } else if (causedBy(
                cause, BadSqlGrammarException.class, InvalidDataAccessApiUsageException.class)) {
            // A statement the database refuses is a fault of the product, not an outage.
            LOG.error("API request failed on a statement the database refused", cause);
            problem = ApiProblem.internalError();
        } else if (causedBy(cause, SQLException.class, DataAccessException.class)) {
            LOG.warn("API request failed, the database is away: {}", cause.toString());
            problem =
                    new ApiProblem(
                            503,
                            "DATABASE_UNAVAILABLE",
                            "The database cannot be reached; try again shortly",
                            List.of());
        } else {
            LOG.error("API request failed", cause);
            problem = ApiProblem.internalError();
        }
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, problem.status());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (problem.status() == 401) {
            exchange.getMessage().setHeader("WWW-Authenticate", "Bearer");
        }
        if (problem.status() == 503) {
            exchange.getMessage().setHeader("Retry-After", RETRY_AFTER_SECONDS);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", problem.code());
        body.put("message", problem.getMessage());
        if (!problem.fields().isEmpty()) {
            body.put("fields", problem.fields());
        }
        return body;
    }

    /**
     * Whether the exception or one of its causes is of one of the types: an outage shows deep in
     * the chain.
     */
    private static boolean causedBy(Throwable error, Class<?>... types) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            for (Class<?> type : types) {
                if (type.isInstance(cause)) {
                    return true;
                }
            }
        }
        return false;
    }
}
