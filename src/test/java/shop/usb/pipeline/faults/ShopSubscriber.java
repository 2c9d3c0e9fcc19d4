package shop.usb.pipeline.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * A shop's durable subscription to orders.status on the fault topology's broker, as the "shop"
 * account. It is created before the faults and read only after each row, once every event of the
 * row has left the outbox: no fault happens while it reads, so whatever it receives twice, the
 * product sent twice.
 */
final class ShopSubscriber {

    private static final String NAME = "faults-shop";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ActiveMQConnectionFactory factory;

    ShopSubscriber(String brokerUrl, String user, String password) {
        this.factory = new ActiveMQConnectionFactory(brokerUrl, user, password);
    }

    /** The durable subscription; the broker keeps the address's events for it from now on. */
    void subscribe() throws Exception {
        try (Connection connection = factory.createConnection()) {
            connection.setClientID(NAME);
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createDurableConsumer(session.createTopic("orders.status"), NAME).close();
        }
    }

    /**
     * Everything waiting for the subscription, read until {@code quiet} passes without a message:
     * each order's event numbers, in the order they arrived.
     */
    Map<String, List<Long>> drain(Duration quiet) throws Exception {
        Map<String, List<Long>> sequences = new LinkedHashMap<>();
        try (Connection connection = factory.createConnection()) {
            connection.setClientID(NAME);
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer =
                    session.createDurableConsumer(session.createTopic("orders.status"), NAME);
            connection.start();
            Message message;
            while ((message = consumer.receive(quiet.toMillis())) != null) {
                JsonNode event = JSON.readTree(((TextMessage) message).getText());
                sequences
                        .computeIfAbsent(event.path("subject").asText(), id -> new ArrayList<>())
                        .add(Long.parseLong(event.path("sequence").asText()));
            }
        }
        return sequences;
    }
}
