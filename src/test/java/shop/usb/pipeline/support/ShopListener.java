package shop.usb.pipeline.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.function.Predicate;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.awaitility.Awaitility;

/**
 * A shop's system listening to its orders' status events: a durable subscription to orders.status
 * as the "shop" account, which keeps what arrives while it is away. Each message is kept as it came
 * (its JSON and its _AMQ_DUPL_ID), in the order it arrived.
 */
public final class ShopListener implements AutoCloseable {

    public static final String ADDRESS = "orders.status";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ActiveMQConnectionFactory factory;
    private final Connection connection;
    private final List<Received> received = new ArrayList<>();

    /** One message: the CloudEvent as parsed, and the broker's duplicate-detection id. */
    public record Received(JsonNode event, String duplicateId, List<String> properties) {
        public String type() {
            return event.path("type").asText();
        }

        public String orderId() {
            return event.path("subject").asText();
        }

        public long sequence() {
            return Long.parseLong(event.path("sequence").asText());
        }

        public JsonNode data() {
            return event.path("data");
        }
    }

    private ShopListener(ActiveMQConnectionFactory factory, Connection connection) {
        this.factory = factory;
        this.connection = connection;
    }

    /** Subscribes durably as {@code subscription}, on the broker at {@code port}. */
    public static ShopListener subscribe(int port, String subscription) throws JMSException {
        ActiveMQConnectionFactory factory =
                new ActiveMQConnectionFactory("tcp://127.0.0.1:" + port, "shop", "shop");
        Connection connection = factory.createConnection();
        connection.setClientID(subscription);
        ShopListener listener = new ShopListener(factory, connection);
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        session.createDurableConsumer(session.createTopic(ADDRESS), subscription)
                .setMessageListener(listener::keep);
        connection.start();
        return listener;
    }

    @SuppressWarnings("unchecked") // JMS' property names are strings
    private void keep(Message message) {
        try {
            Received one =
                    new Received(
                            JSON.readTree(((TextMessage) message).getText()),
                            message.getStringProperty("_AMQ_DUPL_ID"),
                            Collections.list((Enumeration<String>) message.getPropertyNames())
                                    .stream()
                                    .toList());
            synchronized (received) {
                received.add(one);
            }
        } catch (JMSException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(new java.io.IOException(e));
        }
    }

    /** Everything received so far, in the order it arrived. */
    public List<Received> all() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** The events of one order received so far, in the order they arrived. */
    public List<Received> of(String orderId) {
        return all().stream().filter(event -> event.orderId().equals(orderId)).toList();
    }

    /** Waits (up to a minute) until an event of the order satisfies {@code arrived}. */
    public List<Received> awaitEvent(String orderId, Predicate<Received> arrived) {
        Awaitility.await()
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> of(orderId).stream().anyMatch(arrived));
        return of(orderId);
    }

    /** Waits until the order's event of this type arrived. */
    public List<Received> awaitType(String orderId, String type) {
        return awaitEvent(orderId, event -> event.type().equals(type));
    }

    /** Ends the durable subscription: the broker keeps nothing more for it. */
    public void unsubscribe() throws JMSException {
        String subscription = connection.getClientID();
        connection.close();
        try (Connection again = factory.createConnection()) {
            again.setClientID(subscription);
            again.createSession(false, Session.AUTO_ACKNOWLEDGE).unsubscribe(subscription);
        }
    }

    @Override
    public void close() throws JMSException {
        connection.close();
    }
}
