package shop.usb.pipeline.intake;

import jakarta.jms.Message;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQMessage;

/** What a JMS message's body weighs, known from the broker's encoding before the body is read. */
public final class JmsBodies {

    /**
     * Artemis writes a text body as a null flag and a length (5 bytes), then two bytes per UTF-16
     * unit.
     */
    private static final int TEXT_HEADER_BYTES = 5;

    private JmsBodies() {}

    /**
     * The most characters a TextMessage's text can have, without reading it; each takes at least
     * one byte in UTF-8, so more characters than a byte limit means a body over it. Long.MAX_VALUE
     * for a message this cannot tell (not an Artemis message).
     */
    public static long maxTextChars(Message message) {
        if (!(message instanceof ActiveMQMessage artemis)) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, (encodedSize(artemis.getCoreMessage()) - TEXT_HEADER_BYTES) / 2);
    }

    private static long encodedSize(ClientMessage core) {
        if (core.isLargeMessage()) {
            // A large body is streamed from the broker; its size travels as a property (int
            // overflows past 2 GB).
            Long size =
                    core.getLongProperty(
                            org.apache.activemq.artemis.api.core.Message.HDR_LARGE_BODY_SIZE);
            return size == null ? Long.MAX_VALUE : size;
        }
        return core.getBodySize();
    }
}
