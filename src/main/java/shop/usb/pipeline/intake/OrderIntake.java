package shop.usb.pipeline.intake;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.job.DeadLetter;
import shop.usb.pipeline.job.FollowUps;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobReads;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.JobView;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.metrics.PipelineMetrics;

/**
 * Makes a job of a confirmation, at most once per orderId. Only the JSON shape needed to key the
 * job is checked here; the validate stage checks the rest, so a bad order still leaves a job to
 * look at.
 */
public class OrderIntake {

    public static final String BEAN_NAME = "orderIntake";

    /** The raw body, kept so a rejected message can be dead-lettered as it came. */
    static final String RAW_BODY = "pipelineRawBody";

    private static final Logger LOG = LoggerFactory.getLogger(OrderIntake.class);

    private final JobLifecycle jobs;
    private final JobReads reads;
    private final OrderConfirmationValidator validator;
    private final long maxBytes;
    private final PipelineMetrics metrics;

    public OrderIntake(
            JobLifecycle jobs,
            JobReads reads,
            OrderConfirmationValidator validator,
            long maxBytes,
            PipelineMetrics metrics) {
        this.jobs = jobs;
        this.reads = reads;
        this.validator = validator;
        this.maxBytes = maxBytes;
        this.metrics = metrics;
    }

    /**
     * Records the job for a JMS message. The body becomes the id of the job to run, or null when
     * the order already has a job that is past waiting (a redelivery or a duplicate).
     */
    public void accept(Exchange exchange) throws JMSException {
        byte[] body = read(exchange.getMessage().getBody(Message.class));
        exchange.setProperty(RAW_BODY, body);
        String text = utf8(body);
        JsonNode root = validator.parse(text);
        String orderId =
                OrderConfirmationValidator.usableOrderId(root)
                        .orElseThrow(
                                () ->
                                        new JobFailure(
                                                ErrorCode.MISSING_ORDER_ID,
                                                "orderId: missing, or not matching [A-Za-z0-9._-]{1,64}"));
        String priority = OrderConfirmationValidator.priorityOrDefault(root).label();
        Optional<String> created =
                jobs.create(orderId, priority, OrderConfirmationValidator.customerKey(root), text);
        created.ifPresent(id -> metrics.jobCreated());
        exchange.getMessage().setBody(created.orElseGet(() -> waitingJobOf(orderId)));
        exchange.getMessage().setHeader(FollowUps.JMS_PRIORITY, FollowUps.jmsPriority(priority));
    }

    /** Turns a message that cannot become a job into a dead letter that says why. */
    public void reject(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        JobFailure failure = JobFailure.of(cause);
        LOG.warn("Confirmation rejected with {}: {}", failure.code(), failure.getMessage());
        DeadLetter.prepare(
                exchange.getMessage(),
                exchange.getProperty(RAW_BODY, byte[].class),
                failure.code(),
                failure.getMessage(),
                Stage.INTAKE,
                null);
    }

    /**
     * A redelivered confirmation whose job is still QUEUED gets its job message again; others get
     * none, nor does an order whose job retention has deleted (its receipt stays).
     */
    private String waitingJobOf(String orderId) {
        Optional<JobView> existing = reads.findByOrderId(orderId);
        if (existing.isEmpty()) {
            JobReads.OrderReceipt receipt =
                    reads.receiptOf(orderId)
                            .orElseThrow(
                                    () ->
                                            new IllegalStateException(
                                                    "Order "
                                                            + orderId
                                                            + " was a duplicate but has neither a job nor a receipt"));
            LOG.info(
                    "Order {} was received on {} as job {}, since deleted by retention; no second job",
                    orderId,
                    receipt.receivedAt(),
                    receipt.jobId());
            return null;
        }
        JobView job = existing.get();
        LOG.info(
                "Order {} already has job {} ({}); no second job created",
                orderId,
                job.id(),
                job.status());
        jobs.recordDuplicate(job.id());
        return job.status() == JobStatus.QUEUED ? job.id() : null;
    }

    private byte[] read(Message message) throws JMSException {
        if (message instanceof TextMessage text) {
            long maxChars = JmsBodies.maxTextChars(text);
            if (maxChars > maxBytes) {
                // Refused from the encoded size: a huge text is never materialised.
                throw new JobFailure(
                        ErrorCode.MESSAGE_TOO_LARGE,
                        "The body holds up to "
                                + maxChars
                                + " characters, pipeline.intake.max-bytes allows "
                                + maxBytes
                                + " bytes");
            }
            String body = text.getText();
            if (body == null) {
                throw new JobFailure(ErrorCode.NOT_JSON, "The message body is empty");
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            requireSize(bytes.length);
            return bytes;
        }
        if (message instanceof BytesMessage bytesMessage) {
            requireSize(bytesMessage.getBodyLength());
            byte[] bytes = new byte[(int) bytesMessage.getBodyLength()];
            bytesMessage.readBytes(bytes);
            return bytes;
        }
        // ObjectMessage bodies are never deserialised; Map and Stream messages are not
        // confirmations.
        String type = message == null ? "none" : message.getClass().getSimpleName();
        throw new JobFailure(
                ErrorCode.UNSUPPORTED_MESSAGE_TYPE,
                "Only TextMessage and BytesMessage carry confirmations, this was " + type);
    }

    private void requireSize(long length) {
        if (length > maxBytes) {
            throw new JobFailure(
                    ErrorCode.MESSAGE_TOO_LARGE,
                    "The body has "
                            + length
                            + " bytes, pipeline.intake.max-bytes allows "
                            + maxBytes);
        }
    }

    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new JobFailure(ErrorCode.NOT_JSON, "The message body is not UTF-8 text");
        }
    }
}
