package shop.usb.pipeline.platform;

import org.apache.camel.builder.RouteConfigurationBuilder;
import shop.usb.pipeline.intake.OrderIntake;
import shop.usb.pipeline.job.JobFailure;
import shop.usb.pipeline.ops.ApiErrors;
import shop.usb.pipeline.stage.JobContext;
import shop.usb.pipeline.stage.JobOutcome;

/**
 * The one place that decides what an error does; routes opt in by id. Camel never redelivers
 * here: a failed job is ended (or, later, rescheduled) by the job table, and intake faults that are
 * not the message's own (the database is down) roll back to the broker, which redelivers.
 */
public class ErrorHandling extends RouteConfigurationBuilder {

    public static final String DEAD_LETTER = "direct:dead-letter";

    @Override
    public void configuration() {
        // A message that cannot become a job is dead-lettered with its reason; the consumer goes on.
        routeConfiguration("intake-errors")
                .onException(JobFailure.class)
                .onWhen(exchange -> !exchange.getException(JobFailure.class).code().recoverable())
                .handled(true)
                .bean(OrderIntake.BEAN_NAME, "reject")
                .to(DEAD_LETTER);

        // A failing stage ends its job run; "stop" also ends the calling job route, not only the stage.
        routeConfiguration("job-errors")
                .onException(Exception.class)
                .onWhen(exchangeProperty(JobContext.PROPERTY).isNotNull())
                .handled(true)
                .bean(JobOutcome.BEAN_NAME, "fail")
                .to(DEAD_LETTER)
                .stop();

        routeConfiguration("api-errors")
                .onException(Exception.class)
                .handled(true)
                .bean(ApiErrors.BEAN_NAME, "answer")
                .marshal().json();
    }
}
