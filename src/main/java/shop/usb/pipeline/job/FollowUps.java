package shop.usb.pipeline.job;

import org.apache.camel.Message;

/** Turns a {@link FollowUp} into the broker message the job-follow-up route sends. */
public class FollowUps {

    public static final String BEAN_NAME = "followUps";

    /**
     * Artemis delivers a message carrying this property (epoch millis) no earlier than that time.
     */
    static final String SCHEDULED_DELIVERY = "_AMQ_SCHED_DELIVERY";

    /**
     * Sent with the dispatch-job endpoint's preserveMessageQos: the broker hands out higher ones
     * first.
     */
    public static final String JMS_PRIORITY = "JMSPriority";

    /**
     * The station a job message is for; each instance's job-dispatch consumer selects the messages
     * without one and those for its own station.
     */
    public static final String STATION = "pipelineStation";

    /** An order's priority as a JMS priority: high 8, normal 4 (the JMS default), low 1. */
    public static int jmsPriority(String priority) {
        return switch (priority == null ? "normal" : priority) {
            case "high" -> 8;
            case "low" -> 1;
            default -> 4;
        };
    }

    public void toJobMessage(Message message) throws org.apache.camel.InvalidPayloadException {
        FollowUp followUp = message.getMandatoryBody(FollowUp.class);
        message.getHeaders().clear();
        message.setBody(followUp.jobId());
        message.setHeader(JMS_PRIORITY, jmsPriority(followUp.priority()));
        if (followUp.runAt() != null) {
            message.setHeader(SCHEDULED_DELIVERY, followUp.runAt().toEpochMilli());
        }
        if (followUp.station() != null) {
            message.setHeader(STATION, followUp.station());
        }
    }

    public void toDeadLetter(Message message) throws org.apache.camel.InvalidPayloadException {
        FollowUp followUp = message.getMandatoryBody(FollowUp.class);
        DeadLetter.prepare(
                message,
                followUp.orderJson(),
                followUp.code(),
                followUp.reason(),
                followUp.stage(),
                followUp.orderId());
    }
}
