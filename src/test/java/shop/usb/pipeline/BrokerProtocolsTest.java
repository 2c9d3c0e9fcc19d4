package shop.usb.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static shop.usb.pipeline.support.Orders.newOrderId;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Connection;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;

/**
 * The embedded broker's one acceptor takes orders over STOMP and AMQP as well as CORE, and only
 * with credentials; a dead letter stays however often a reader rolls back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrokerProtocolsTest {

    static final String DEAD_LETTERS = "orders.confirmed.DLQ";
    static final ObjectMapper JSON = new ObjectMapper();
    @AutoClose PipelineRuntime pipeline;

    @BeforeAll
    void startPipeline(@TempDir Path root) throws Exception {
        pipeline = PipelineRuntime.startOnH2(root, Map.of());
    }

    /**
     * A second instance on the same port must not run its routes against the first instance's
     * broker.
     */
    @Test
    void anInstanceWhoseBrokerCannotListenRefusesToStart(@TempDir Path other) {
        assertThatThrownBy(
                        () ->
                                PipelineRuntime.start(
                                                other,
                                                TestDatabase.h2(other.resolve("db")),
                                                Map.of(
                                                        "pipeline.broker.port",
                                                        String.valueOf(pipeline.brokerPort())))
                                        .close())
                .hasStackTraceContaining(
                        "The embedded broker could not listen on port " + pipeline.brokerPort());
    }

    @Test
    void orderSentOverStompWithContentLengthCompletes() throws Exception {
        String orderId = newOrderId();
        byte[] body =
                order(orderId)
                        .file("music/jazz/01-so-what.mp3")
                        .json()
                        .getBytes(StandardCharsets.UTF_8);

        try (Socket socket = new Socket("127.0.0.1", pipeline.brokerPort())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            frame(
                    out,
                    "CONNECT\naccept-version:1.2\nhost:localhost\nlogin:pipeline\npasscode:pipeline\n\n",
                    new byte[0]);
            assertThat(readFrame(in)).startsWith("CONNECTED");
            frame(
                    out,
                    "SEND\ndestination:/queue/orders.confirmed\ncontent-type:application/json\ncontent-length:"
                            + body.length
                            + "\nreceipt:sent\n\n",
                    body);
            assertThat(readFrame(in)).startsWith("RECEIPT");
        }

        pipeline.awaitJob(orderId, JobStatus.COMPLETED);
    }

    @Test
    void orderSentOverAmqpCompletes() throws Exception {
        String orderId = newOrderId();
        JmsConnectionFactory amqp =
                new JmsConnectionFactory(
                        PipelineRuntime.USER,
                        PipelineRuntime.PASSWORD,
                        "amqp://127.0.0.1:" + pipeline.brokerPort());

        try (Connection connection = amqp.createConnection();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            session.createProducer(session.createQueue("orders.confirmed"))
                    .send(
                            session.createTextMessage(
                                    order(orderId).file("music/jazz/01-so-what.mp3").json()));
        }

        pipeline.awaitJob(orderId, JobStatus.COMPLETED);
    }

    @Test
    void anonymousAndWrongPasswordConnectionsAreRefused() {
        String url = "tcp://127.0.0.1:" + pipeline.brokerPort();

        assertThatThrownBy(() -> new ActiveMQConnectionFactory(url).createConnection().close())
                .isInstanceOf(JMSSecurityException.class);
        assertThatThrownBy(
                        () ->
                                new ActiveMQConnectionFactory(url, "pipeline", "wrong")
                                        .createConnection()
                                        .close())
                .isInstanceOf(JMSSecurityException.class);
    }

    @Test
    void producerMaySendConfirmations() throws Exception {
        String orderId = newOrderId();
        try (Connection connection = producer().createConnection();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            session.createProducer(session.createQueue("orders.confirmed"))
                    .send(
                            session.createTextMessage(
                                    order(orderId).file("music/jazz/01-so-what.mp3").json()));
        }

        pipeline.awaitJob(orderId, JobStatus.COMPLETED);
    }

    @Test
    void producerMayNotConsumeNorSendJobsNorManage() throws Exception {
        try (Connection connection = producer().createConnection();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            assertThatThrownBy(
                            () -> session.createConsumer(session.createQueue("orders.confirmed")))
                    .isInstanceOf(JMSSecurityException.class)
                    .hasMessageContaining("CONSUME");
            assertThatThrownBy(() -> session.createConsumer(session.createQueue(DEAD_LETTERS)))
                    .isInstanceOf(JMSSecurityException.class)
                    .hasMessageContaining("CONSUME");
            assertThatThrownBy(
                            () ->
                                    session.createBrowser(session.createQueue("orders.confirmed"))
                                            .getEnumeration())
                    .isInstanceOf(JMSSecurityException.class)
                    .hasMessageContaining("BROWSE");
            assertThatThrownBy(
                            () ->
                                    session.createProducer(session.createQueue("pipeline.jobs"))
                                            .send(
                                                    session.createTextMessage(
                                                            "00000000-0000-0000-0000-000000000000")))
                    .isInstanceOf(JMSSecurityException.class)
                    .hasMessageContaining("SEND");
            // A management request is a message to the management address, which only the admin
            // role may send.
            assertThatThrownBy(
                            () ->
                                    session.createProducer(
                                                    session.createQueue("activemq.management"))
                                            .send(session.createTextMessage("")))
                    .isInstanceOf(JMSSecurityException.class)
                    .hasMessageContaining("MANAGE");
        }
    }

    private ActiveMQConnectionFactory producer() {
        return new ActiveMQConnectionFactory(
                "tcp://127.0.0.1:" + pipeline.brokerPort(), "producer", "producer");
    }

    @Test
    void deadLetterStaysHoweverOftenAReaderRollsBack() throws Exception {
        String marker = newOrderId();
        ActiveMQConnectionFactory core =
                new ActiveMQConnectionFactory(
                        "tcp://127.0.0.1:" + pipeline.brokerPort(),
                        PipelineRuntime.USER,
                        PipelineRuntime.PASSWORD);
        try (Connection connection = core.createConnection();
                Session sender = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                Session reader = connection.createSession(true, Session.SESSION_TRANSACTED)) {
            TextMessage deadLetter = sender.createTextMessage("{}");
            deadLetter.setStringProperty("testMarker", marker);
            sender.createProducer(sender.createQueue(DEAD_LETTERS)).send(deadLetter);
            connection.start();
            MessageConsumer consumer =
                    reader.createConsumer(
                            reader.createQueue(DEAD_LETTERS), "testMarker = '" + marker + "'");

            // Artemis' default is ten attempts, after which a message with nowhere to go is
            // deleted.
            for (int read = 1; read <= 12; read++) {
                assertThat(consumer.receive(5000)).as("dead letter on read " + read).isNotNull();
                reader.rollback();
            }
            assertThat(consumer.receive(5000)).isNotNull();
            reader.commit();
        }
    }

    /**
     * docs/status-events.md's example: a shop's system sends an order over STOMP and hears its
     * events there, as the "shop" account, on a durable subscription.
     */
    @Test
    void shopSendsAnOrderAndHearsItCompleteOverStomp() throws Exception {
        String orderId = newOrderId();
        byte[] body =
                order(orderId)
                        .file("music/jazz/01-so-what.mp3")
                        .json()
                        .getBytes(StandardCharsets.UTF_8);

        try (Socket listener = new Socket("127.0.0.1", pipeline.brokerPort());
                Socket sender = new Socket("127.0.0.1", pipeline.brokerPort())) {
            // A guard against a test that would hang, not a bound on the machine's speed.
            listener.setSoTimeout(120_000);
            frame(
                    listener.getOutputStream(),
                    "CONNECT\naccept-version:1.2\nhost:localhost\nlogin:shop\npasscode:shop\nclient-id:shop-stomp\n\n",
                    new byte[0]);
            assertThat(readFrame(listener.getInputStream())).startsWith("CONNECTED");
            frame(
                    listener.getOutputStream(),
                    "SUBSCRIBE\nid:1\ndestination:/topic/orders.status\nack:auto\ndurable-subscription-name:shop-stomp\nreceipt:subscribed\n\n",
                    new byte[0]);
            assertThat(readFrame(listener.getInputStream())).startsWith("RECEIPT");

            frame(
                    sender.getOutputStream(),
                    "CONNECT\naccept-version:1.2\nhost:localhost\nlogin:producer\npasscode:producer\n\n",
                    new byte[0]);
            assertThat(readFrame(sender.getInputStream())).startsWith("CONNECTED");
            frame(
                    sender.getOutputStream(),
                    "SEND\ndestination:/queue/orders.confirmed\ncontent-type:application/json\ncontent-length:"
                            + body.length
                            + "\nreceipt:sent\n\n",
                    body);
            assertThat(readFrame(sender.getInputStream())).startsWith("RECEIPT");

            assertHeardComplete(
                    orderId,
                    () -> {
                        String frame = readFrame(listener.getInputStream());
                        assertThat(frame).startsWith("MESSAGE");
                        return frame.substring(frame.indexOf("\n\n") + 2);
                    });
        }
    }

    /** README's example over AMQP 1.0 (a JMS client here): send as producer, listen as shop. */
    @Test
    void shopSendsAnOrderAndHearsItCompleteOverAmqp() throws Exception {
        String orderId = newOrderId();
        String url = "amqp://127.0.0.1:" + pipeline.brokerPort();
        try (Connection listening =
                        new JmsConnectionFactory("shop", "shop", url).createConnection();
                Connection sending =
                        new JmsConnectionFactory("producer", "producer", url).createConnection()) {
            listening.setClientID("shop-amqp");
            Session session = listening.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer events =
                    session.createDurableConsumer(
                            session.createTopic("orders.status"), "shop-amqp");
            listening.start();
            Session send = sending.createSession(false, Session.AUTO_ACKNOWLEDGE);
            send.createProducer(send.createQueue("orders.confirmed"))
                    .send(
                            send.createTextMessage(
                                    order(orderId).file("music/jazz/01-so-what.mp3").json()));

            assertHeardComplete(
                    orderId,
                    () -> {
                        TextMessage message = (TextMessage) events.receive(120_000);
                        assertThat(message).as("an event within the guard's time").isNotNull();
                        return message.getText();
                    });
        }
    }

    /** The next event's JSON as the client received it. */
    @FunctionalInterface
    private interface NextEvent {
        String read() throws Exception;
    }

    /**
     * Reads events until the order's completed one: its events came accepted, processing,
     * completed.
     */
    private static void assertHeardComplete(String orderId, NextEvent next) throws Exception {
        List<String> types = new ArrayList<>();
        while (!types.contains("shop.usb.order.completed")) {
            JsonNode event = JSON.readTree(next.read());
            if (event.path("subject").asText().equals(orderId)) {
                types.add(event.path("type").asText());
            }
        }
        assertThat(types)
                .containsExactly(
                        "shop.usb.order.accepted",
                        "shop.usb.order.processing",
                        "shop.usb.order.completed");
    }

    private static void frame(OutputStream out, String head, byte[] body) throws IOException {
        out.write(head.getBytes(StandardCharsets.UTF_8));
        out.write(body);
        out.write(0);
        out.flush();
    }

    private static String readFrame(InputStream in) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) > 0) {
            frame.write(b);
        }
        return frame.toString(StandardCharsets.UTF_8).stripLeading();
    }
}
