package shop.usb.pipeline.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.intake.FieldError;
import shop.usb.pipeline.intake.InvalidOrderException;
import shop.usb.pipeline.job.JobFailure;

/** Turns any exception of an API route into a JSON answer; never a stack trace. */
public class ApiErrors {

    public static final String BEAN_NAME = "apiErrors";
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    public Map<String, Object> answer(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        ApiProblem problem;
        if (cause instanceof ApiProblem known) {
            problem = known;
        } else if (cause instanceof InvalidOrderException invalid) {
            problem = new ApiProblem(400, invalid.code().name(), invalid.getMessage(), invalid.errors());
        } else if (cause instanceof JobFailure failure && !failure.code().recoverable()) {
            problem = new ApiProblem(400, failure.code().name(), failure.getMessage(), List.<FieldError>of());
        } else {
            LOG.error("API request failed", cause);
            problem = new ApiProblem(500, "INTERNAL_ERROR", "The request failed; see the server log", List.of());
        }
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, problem.status());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (problem.status() == 401) {
            exchange.getMessage().setHeader("WWW-Authenticate", "Bearer");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", problem.code());
        body.put("message", problem.getMessage());
        if (!problem.fields().isEmpty()) {
            body.put("fields", problem.fields());
        }
        return body;
    }
}
