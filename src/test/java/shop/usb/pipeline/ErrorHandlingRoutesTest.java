package shop.usb.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.JobCancelledException;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.job.RunSupersededException;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.stage.JobContext;
import shop.usb.pipeline.station.NoStickReadyException;

/**
 * The failure half of the flow, routes/error-handling.camel.yaml, with the routes that name its
 * configurations (intake-errors, job-errors), loaded from the classpath as the product ships them.
 * The beans they call are test doubles in the registry; the broker ends are direct endpoints
 * (AdviceWith by route id) and the dead-letter, follow-up and job-message ends are mocks. What the
 * real beans do with a failure is FailureSemanticsTest's and PipelineEndToEndTest's business.
 */
class ErrorHandlingRoutesTest extends CamelTestSupport {

    static final String[] ROUTE_FILES = {
        "routes/error-handling.camel.yaml",
        "routes/intake-jms.camel.yaml",
        "routes/pipeline.camel.yaml"
    };

    final OrderIntakeDouble orderIntake = new OrderIntakeDouble();
    final JobClaimerDouble jobClaimer = new JobClaimerDouble();
    final JobOutcomeDouble jobOutcome = new JobOutcomeDouble();
    final StageDouble validate = new StageDouble();
    final StageDouble selectContent = new StageDouble();
    final StageDouble writeUsb = new StageDouble();
    final StageDouble verify = new StageDouble();

    MockEndpoint deadLetters;
    MockEndpoint followUps;
    MockEndpoint jobMessages;

    @Override
    public void configureTest(TestExecutionConfiguration test) {
        super.configureTest(test);
        test.withUseAdviceWith(true);
    }

    @Override
    public void configureContext(CamelContextConfiguration context) {
        super.configureContext(context);
        // The routes beyond these ends (dead-letter, job-follow-up, dispatch-job) talk to the
        // broker.
        context.withRouteFilterIncludePattern("order-intake,job-dispatch,stage-*")
                .withMockEndpointsAndSkip("direct:(dead-letter|job-follow-up|dispatch-job)");
    }

    @Override
    protected RoutesBuilder[] createRouteBuilders() throws Exception {
        var resources = PluginHelper.getResourceLoader(context);
        return PluginHelper.getRoutesLoader(context)
                .findRoutesBuilders(
                        Arrays.stream(ROUTE_FILES)
                                .map(file -> resources.resolveResource("classpath:" + file))
                                .toList())
                .toArray(RoutesBuilder[]::new);
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("orderIntake", orderIntake);
        registry.bind("jobClaimer", jobClaimer);
        registry.bind("jobOutcome", jobOutcome);
        registry.bind("validateStage", validate);
        registry.bind("selectContentStage", selectContent);
        registry.bind("writeUsbStage", writeUsb);
        registry.bind("verifyStage", verify);
    }

    @BeforeEach
    void replaceBrokerEndsAndStart() throws Exception {
        AdviceWith.adviceWith(context, "order-intake", a -> a.replaceFromWith("direct:orders"));
        AdviceWith.adviceWith(context, "job-dispatch", a -> a.replaceFromWith("direct:jobs"));
        context.start();
        deadLetters = getMockEndpoint("mock:direct:dead-letter");
        followUps = getMockEndpoint("mock:direct:job-follow-up");
        jobMessages = getMockEndpoint("mock:direct:dispatch-job");
    }

    @Test
    void acceptedConfirmationBecomesAJobMessage() throws Exception {
        jobMessages.expectedBodiesReceived("job-1");
        deadLetters.expectedMessageCount(0);

        template.sendBody("direct:orders", "{}");

        MockEndpoint.assertIsSatisfied(context);
    }

    @Test
    void nonRecoverableIntakeFailureIsRejectedAndDeadLettered() throws Exception {
        orderIntake.failure = new JobFailure(ErrorCode.NOT_JSON, "not json");
        deadLetters.expectedMessageCount(1);
        jobMessages.expectedMessageCount(0);

        template.sendBody("direct:orders", "not json");

        MockEndpoint.assertIsSatisfied(context);
        assertThat(orderIntake.rejected).containsExactly(ErrorCode.NOT_JSON);
    }

    @Test
    void recoverableIntakeFailureIsNotHandledSoTheTransactionRollsBack() throws Exception {
        orderIntake.failure = new JobFailure(ErrorCode.IO_ERROR, "database away");
        deadLetters.expectedMessageCount(0);
        jobMessages.expectedMessageCount(0);

        assertThatThrownBy(() -> template.sendBody("direct:orders", "{}"))
                .isInstanceOf(CamelExecutionException.class)
                .hasCauseInstanceOf(JobFailure.class);

        MockEndpoint.assertIsSatisfied(context);
        assertThat(orderIntake.rejected).isEmpty();
    }

    @Test
    void intakeFaultThatIsNoJobFailureIsNotHandled() throws Exception {
        orderIntake.failure = new IllegalStateException("pool exhausted");
        deadLetters.expectedMessageCount(0);

        assertThatThrownBy(() -> template.sendBody("direct:orders", "{}"))
                .hasCauseInstanceOf(IllegalStateException.class);

        MockEndpoint.assertIsSatisfied(context);
        assertThat(orderIntake.rejected).isEmpty();
    }

    @Test
    void jobThatPassesEveryStageIsCompleted() throws Exception {
        followUps.expectedMessageCount(0);

        template.sendBody("direct:jobs", "job-1");

        MockEndpoint.assertIsSatisfied(context);
        assertThat(List.of(validate.runs, selectContent.runs, writeUsb.runs, verify.runs))
                .containsOnly(1);
        assertThat(jobOutcome.completed).isEqualTo(1);
    }

    @Test
    void stageFailureOfAJobGoesToJobOutcomeFailAndItsFollowUpAndEndsTheRun() throws Exception {
        validate.failure = new JobFailure(ErrorCode.CONTENT_NOT_FOUND, "movies/missing.mp4");
        followUps.expectedMessageCount(1);
        deadLetters.expectedMessageCount(0);

        template.sendBody("direct:jobs", "job-1");

        MockEndpoint.assertIsSatisfied(context);
        assertThat(jobOutcome.failed).containsExactly(ErrorCode.CONTENT_NOT_FOUND);
        FollowUp followUp = followUps.getExchanges().get(0).getMessage().getBody(FollowUp.class);
        assertThat(followUp.jobId()).isEqualTo("job-1");
        assertThat(followUp.code()).isEqualTo(ErrorCode.CONTENT_NOT_FOUND);
        assertThat(selectContent.runs).as("the run ends at the failing stage").isZero();
        assertThat(jobOutcome.completed).isZero();
    }

    @Test
    void anyExceptionOfALaterStageEndsTheRunThroughJobOutcome() throws Exception {
        writeUsb.failure = new IllegalStateException("bug");
        followUps.expectedMessageCount(1);

        template.sendBody("direct:jobs", "job-1");

        MockEndpoint.assertIsSatisfied(context);
        assertThat(jobOutcome.failed).containsExactly(ErrorCode.INTERNAL_ERROR);
        assertThat(verify.runs).isZero();
        assertThat(jobOutcome.completed).isZero();
    }

    @Test
    void jobMessageThatIsNoJobIsRejectedAndDeadLettered() throws Exception {
        jobClaimer.failure = new JobFailure(ErrorCode.INVALID_JOB_MESSAGE, "not a job id");
        deadLetters.expectedMessageCount(1);
        followUps.expectedMessageCount(0);

        template.sendBody("direct:jobs", "hello");

        MockEndpoint.assertIsSatisfied(context);
        assertThat(jobClaimer.rejected).containsExactly(ErrorCode.INVALID_JOB_MESSAGE);
        assertThat(jobOutcome.failed).isEmpty();
    }

    @Test
    void claimFaultWithoutAJobIsNotHandledSoTheMessageComesAgain() throws Exception {
        jobClaimer.failure = new IllegalStateException("database away");
        deadLetters.expectedMessageCount(0);
        followUps.expectedMessageCount(0);

        assertThatThrownBy(() -> template.sendBody("direct:jobs", "job-1"))
                .hasCauseInstanceOf(IllegalStateException.class);

        MockEndpoint.assertIsSatisfied(context);
        assertThat(jobClaimer.rejected).isEmpty();
    }

    @Test
    void eachWayARunEndsIsOneMethodOfJobOutcomeAndNoFollowUpForTheFirstThree() throws Exception {
        followUps.expectedMessageCount(0);
        deadLetters.expectedMessageCount(0);

        validate.failure = new RunSupersededException(new JobRun("job-1", "token"), "RETRYING");
        template.sendBody("direct:jobs", "job-1");
        validate.failure = null;
        selectContent.failure = new NoStickReadyException(16_000_000_000L, Map.of());
        template.sendBody("direct:jobs", "job-2");
        selectContent.failure = null;
        writeUsb.failure = new JobCancelledException("job-3");
        template.sendBody("direct:jobs", "job-3");

        MockEndpoint.assertIsSatisfied(context);
        assertThat(jobOutcome.ended)
                .containsExactly("superseded job-1", "waitForStick job-2", "cancelled job-3");
        assertThat(jobOutcome.failed).as("none of them is a failure").isEmpty();
        assertThat(verify.runs).isZero();
    }

    /** A double that throws {@link #failure} when a test sets one. */
    public abstract static class FailingDouble {
        RuntimeException failure;

        protected void failIfAsked() {
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** A failing double whose reject step records the code of the failure it was handed. */
    public abstract static class RejectingDouble extends FailingDouble {
        final List<ErrorCode> rejected = new ArrayList<>();

        public void reject(Exchange exchange) {
            rejected.add(caught(exchange).code());
        }
    }

    /** Stands in for OrderIntake: the body becomes job-1, or {@link #failure} is thrown. */
    public static final class OrderIntakeDouble extends RejectingDouble {
        public void accept(Exchange exchange) {
            failIfAsked();
            exchange.getMessage().setBody("job-1");
        }
    }

    /** Stands in for JobClaimer: claims the job the body names, or throws {@link #failure}. */
    public static final class JobClaimerDouble extends RejectingDouble {
        public void claim(Exchange exchange) {
            failIfAsked();
            exchange.setProperty(JobContext.PROPERTY, exchange.getMessage().getBody(String.class));
        }
    }

    /**
     * Stands in for JobOutcome: counts completions, notes the other endings with their job, answers
     * a failure with a dead letter.
     */
    public static final class JobOutcomeDouble {
        int completed;
        final List<ErrorCode> failed = new ArrayList<>();
        final List<String> ended = new ArrayList<>();

        public void complete(Exchange exchange) {
            completed++;
        }

        public FollowUp superseded(Exchange exchange) {
            return ended("superseded", exchange);
        }

        public FollowUp waitForStick(Exchange exchange) {
            return ended("waitForStick", exchange);
        }

        public FollowUp cancelled(Exchange exchange) {
            return ended("cancelled", exchange);
        }

        private FollowUp ended(String how, Exchange exchange) {
            String jobId = exchange.getProperty(JobContext.PROPERTY, String.class);
            ended.add(how + " " + jobId);
            return FollowUp.none(jobId);
        }

        public FollowUp fail(Exchange exchange) {
            JobFailure failure = caught(exchange);
            failed.add(failure.code());
            return FollowUp.deadLetter(
                    exchange.getProperty(JobContext.PROPERTY, String.class),
                    "ORD-1",
                    "{}",
                    failure.code(),
                    failure.getMessage(),
                    Stage.VALIDATE);
        }
    }

    /** Stands in for a stage: counts its runs, or throws {@link #failure}. */
    public static final class StageDouble extends FailingDouble {
        int runs;

        public void run(Exchange exchange) {
            failIfAsked();
            runs++;
        }
    }

    private static JobFailure caught(Exchange exchange) {
        return JobFailure.of(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
    }
}
