package shop.usb.pipeline.platform;

import org.apache.camel.builder.RouteConfigurationBuilder;
import shop.usb.pipeline.intake.OrderIntake;
import shop.usb.pipeline.intake.manifest.ManifestIntake;
import shop.usb.pipeline.intake.manifest.ManifestUnreadableException;
import shop.usb.pipeline.job.JobFailure;
import shop.usb.pipeline.ops.ApiErrors;
import shop.usb.pipeline.stage.JobClaimer;
import shop.usb.pipeline.stage.JobContext;
import shop.usb.pipeline.stage.JobOutcome;

/**
 * The one place that decides what an error does; routes opt in by id. Camel never redelivers: a
 * failed job is retried by a job message scheduled on the broker, and intake faults that are not
 * the message's own (the database is down) roll back to the broker, which redelivers.
 */
public class ErrorHandling extends RouteConfigurationBuilder {

    public static final String DEAD_LETTER = "direct:dead-letter";
    public static final String FOLLOW_UP = "direct:job-follow-up";

    @Override
    public void configuration() {
        // A message that cannot become a job is dead-lettered with its reason; the consumer goes
        // on.
        routeConfiguration("intake-errors")
                .onException(JobFailure.class)
                .onWhen(exchange -> !exchange.getException(JobFailure.class).code().recoverable())
                .handled(true)
                .bean(OrderIntake.BEAN_NAME, "reject")
                .to(DEAD_LETTER);

        // A failing stage ends its job run: RETRYING (the job message is scheduled with its
        // backoff),
        // FAILED (the order is dead-lettered) or CANCELLED. "stop" also ends the calling job route.
        routeConfiguration("job-errors")
                // A job message that is no job id (wrong type, not a UUID) is dead-lettered and
                // acknowledged.
                .onException(JobFailure.class)
                .onWhen(exchangeProperty(JobContext.PROPERTY).isNull())
                .handled(true)
                .bean(JobClaimer.BEAN_NAME, "reject")
                .to(DEAD_LETTER)
                .end()
                .onException(Exception.class)
                .onWhen(exchangeProperty(JobContext.PROPERTY).isNotNull())
                .handled(true)
                .bean(JobOutcome.BEAN_NAME, "fail")
                .to(FOLLOW_UP)
                .stop();

        // A manifest that cannot be read on goes to error/ with its report. Any other failure
        // (broker or
        // database down) leaves the file in the inbox, to be read again at a later poll.
        routeConfiguration("manifest-errors")
                .onException(ManifestUnreadableException.class)
                .handled(true)
                .bean(ManifestIntake.BEAN_NAME, "unreadable");

        routeConfiguration("api-errors")
                .onException(Exception.class)
                .handled(true)
                .bean(ApiErrors.BEAN_NAME, "answer")
                .marshal()
                .json();
    }
}
