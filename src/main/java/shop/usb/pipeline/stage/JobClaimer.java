package shop.usb.pipeline.stage;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import java.time.Clock;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.intake.JmsBodies;
import shop.usb.pipeline.job.DeadLetter;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.run.Runs;

/**
 * Turns a job message into a running job. The table decides: a job that is not QUEUED or RETRYING
 * (already running elsewhere, finished, cancelled) is skipped, which makes a duplicate message
 * harmless. A message that came before the job's due time by the database's clock (the broker's
 * clock is ahead) is sent again for the time that is left, so the job is not left to the overdue
 * sweep.
 */
public class JobClaimer {

    public static final String BEAN_NAME = "jobClaimer";

    /** Set instead of {@link JobContext#PROPERTY} when the job message has to come again later. */
    public static final String FOLLOW_UP = "followUp";

    private static final Logger LOG = LoggerFactory.getLogger(JobClaimer.class);
    private static final int MAX_JOB_MESSAGE_CHARS = 64;
    private static final Pattern JOB_ID =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final Runs runs;
    private final JobLifecycle jobs;
    private final Clock clock;

    public JobClaimer(Runs runs, JobLifecycle jobs, Clock clock) {
        this.runs = runs;
        this.jobs = jobs;
        this.clock = clock;
    }

    /** The run's handle goes into the exchange, or, when the job is not due yet, its follow-up. */
    public void claim(Exchange exchange) throws JMSException {
        String jobId = jobIdOf(exchange.getMessage().getBody(Message.class));
        runs.claim(jobId)
                .ifPresentOrElse(
                        run -> exchange.setProperty(JobContext.PROPERTY, new JobContext(run)),
                        () -> notClaimed(exchange, jobId));
    }

    /**
     * A job message that is not a job id goes to the dead letters with its reason, and is
     * acknowledged.
     */
    public void reject(Exchange exchange) {
        JobFailure failure =
                JobFailure.of(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
        LOG.warn("Job message rejected with {}: {}", failure.code(), failure.getMessage());
        DeadLetter.prepare(
                exchange.getMessage(),
                null,
                failure.code(),
                failure.getMessage(),
                Stage.INTAKE,
                null);
    }

    /**
     * The job id a job message carries as text; nothing else is read from it, and no object is
     * deserialised.
     */
    private static String jobIdOf(Message message) throws JMSException {
        if (!(message instanceof TextMessage text)) {
            String type = message == null ? "none" : message.getClass().getSimpleName();
            throw new JobFailure(
                    ErrorCode.INVALID_JOB_MESSAGE,
                    "A job message is a TextMessage, this was " + type);
        }
        if (JmsBodies.maxTextChars(text) > MAX_JOB_MESSAGE_CHARS) {
            throw new JobFailure(
                    ErrorCode.INVALID_JOB_MESSAGE,
                    "A job message holds only a job id; this one is longer");
        }
        String body = text.getText();
        if (body == null || !JOB_ID.matcher(body.trim()).matches()) {
            throw new JobFailure(
                    ErrorCode.INVALID_JOB_MESSAGE,
                    "A job message holds a job id (a UUID); this one "
                            + (body == null ? "is empty" : "does not"));
        }
        return body.trim();
    }

    private void notClaimed(Exchange exchange, String jobId) {
        jobs.dueIn(jobId)
                .ifPresentOrElse(
                        due -> {
                            LOG.info(
                                    "Job {} is due in {} ms by the database's clock; its job message comes again then",
                                    jobId,
                                    due.in().toMillis());
                            exchange.setProperty(
                                    FOLLOW_UP,
                                    FollowUp.run(
                                            jobId, clock.instant().plus(due.in()), due.priority()));
                        },
                        () -> LOG.info("Job {} is not waiting to run; message ignored", jobId));
    }
}
