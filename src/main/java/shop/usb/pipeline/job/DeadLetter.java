package shop.usb.pipeline.job;

import org.apache.camel.Message;
import shop.usb.pipeline.failure.ErrorCode;

/**
 * The reason headers every dead letter carries, whether it never became a job or its job failed.
 */
public final class DeadLetter {

    public static final String ERROR_CODE = "pipelineErrorCode";
    public static final String ERROR_MESSAGE = "pipelineErrorMessage";
    public static final String FAILED_STAGE = "pipelineFailedStage";
    public static final String ORDER_ID = "pipelineOrderId";

    private DeadLetter() {}

    /**
     * Replaces the message with the original body and its reason headers, ready for the dead-letter
     * route.
     */
    public static void prepare(
            Message message,
            Object originalBody,
            ErrorCode code,
            String reason,
            Stage stage,
            String orderId) {
        message.getHeaders().clear();
        message.setBody(originalBody);
        message.setHeader(ERROR_CODE, code.name());
        message.setHeader(ERROR_MESSAGE, reason);
        message.setHeader(FAILED_STAGE, stage.label());
        if (orderId != null) {
            message.setHeader(ORDER_ID, orderId);
        }
    }
}
