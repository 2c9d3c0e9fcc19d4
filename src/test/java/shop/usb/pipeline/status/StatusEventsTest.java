package shop.usb.pipeline.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static shop.usb.pipeline.support.Orders.ORDERS;
import static shop.usb.pipeline.support.Orders.newOrderId;
import static shop.usb.pipeline.support.Orders.order;

import jakarta.jms.Connection;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Session;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.JobView;
import shop.usb.pipeline.support.OnEachDatabase;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.ShopListener;
import shop.usb.pipeline.support.ShopListener.Received;
import shop.usb.pipeline.support.TestDatabase;

/**
 * The shop hears back: each transition of its order arrives on orders.status as a CloudEvent, in
 * the order's sequence, once, from the outbox written with the transition. On each database.
 */
@OnEachDatabase
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusEventsTest {

    PipelineRuntime pipeline;
    ShopListener shop;

    @Parameter TestDatabase.Engine engine;

    @BeforeParameterizedClassInvocation(injectArguments = false)
    void start(@TempDir Path root) throws Exception {
        pipeline = PipelineRuntime.start(root, engine.create(root), Map.of());
        shop = ShopListener.subscribe(pipeline.brokerPort(), "status-events-test-" + engine);
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    void stop() throws Exception {
        if (shop != null) {
            shop.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void aCompletedOrderIsHeardAcceptedProcessingAndCompletedInSequence() throws Exception {
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).file("music/jazz/01-so-what.mp3").json());
        JobView job = pipeline.awaitJob(orderId, JobStatus.COMPLETED);

        List<Received> events = shop.awaitType(orderId, "shop.usb.order.completed");

        assertThat(events)
                .extracting(Received::type)
                .containsExactly(
                        "shop.usb.order.accepted",
                        "shop.usb.order.processing",
                        "shop.usb.order.completed");
        assertThat(events).extracting(Received::sequence).containsExactly(1L, 2L, 3L);
        for (Received event : events) {
            assertThat(event.event().path("specversion").asText()).isEqualTo("1.0");
            assertThat(event.event().path("source").asText())
                    .isEqualTo("/usb-order-pipeline/test-instance");
            assertThat(event.duplicateId()).isEqualTo(event.event().path("id").asText());
            assertThat(event.properties())
                    .as("nothing of the relay's own goes out with the event")
                    .doesNotContain("webhookDue")
                    .noneMatch(name -> name.startsWith("Camel"));
            assertThat(event.data().path("jobId").asText()).isEqualTo(job.id());
        }
        assertThat(events.get(0).data().path("priority").asText()).isEqualTo("normal");
        Received completed = events.get(2);
        assertThat(completed.data().path("status").asText()).isEqualTo("COMPLETED");
        assertThat(completed.data().path("slot").asText()).isEqualTo(job.slot());
        assertThat(completed.data().path("verifiedBy").asText()).isEqualTo(job.verifiedBy());
        assertThat(completed.data().path("manifestSha256").asText())
                .isEqualTo(job.manifestSha256())
                .hasSize(64);
        await().atMost(Duration.ofMinutes(1)).until(() -> unsent(orderId) == 0);
    }

    @Test
    void aFailedOrderSaysWhyAndThatItWillNotBeRetried() throws Exception {
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).file("movies/missing.mp4").json());

        List<Received> events = shop.awaitType(orderId, "shop.usb.order.failed");

        Received failed = events.get(events.size() - 1);
        assertThat(failed.data().path("status").asText()).isEqualTo("FAILED");
        assertThat(failed.data().path("code").asText()).isEqualTo("CONTENT_NOT_FOUND");
        assertThat(failed.data().path("message").asText()).contains("movies/missing.mp4");
        assertThat(failed.data().path("willRetry").asBoolean(true)).isFalse();
        assertThat(events).extracting(Received::sequence).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aDuplicateConfirmationIsHeardAsSuchAndMakesNoSecondJob() throws Exception {
        String orderId = newOrderId();
        String confirmation = order(orderId).file("music/jazz/01-so-what.mp3").json();
        pipeline.sendText(ORDERS, confirmation);
        shop.awaitType(orderId, "shop.usb.order.completed");

        pipeline.sendText(ORDERS, confirmation);

        List<Received> events = shop.awaitType(orderId, "shop.usb.order.duplicate");
        assertThat(events).extracting(Received::sequence).containsExactly(1L, 2L, 3L, 4L);
        assertThat(events.get(3).data().path("status").asText()).isEqualTo("COMPLETED");
        assertThat(pipeline.jobsOf(orderId)).hasSize(1);
    }

    /**
     * The relay died after the broker took an order's events and before marking them sent: it sends
     * them again, and the broker's duplicate detection lets none through twice.
     */
    @Test
    void eventsSentAgainReachTheShopOnce() throws Exception {
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).file("music/jazz/01-so-what.mp3").json());
        shop.awaitType(orderId, "shop.usb.order.completed");
        await().atMost(Duration.ofMinutes(1)).until(() -> unsent(orderId) == 0);

        int unmarked =
                jdbc().update(
                                "UPDATE status_events SET sent_at = NULL WHERE order_id = :orderId",
                                Map.of("orderId", orderId));
        assertThat(unmarked).isEqualTo(3);
        await().atMost(Duration.ofMinutes(1)).until(() -> unsent(orderId) == 0);
        // A later order's events follow the re-sent ones on the same address.
        String marker = newOrderId();
        pipeline.sendText(ORDERS, order(marker).file("music/jazz/01-so-what.mp3").json());
        shop.awaitType(marker, "shop.usb.order.completed");

        assertThat(shop.of(orderId)).hasSize(3);
    }

    @Test
    void theShopMayListenAndDoNothingElse() throws Exception {
        try (Connection connection =
                        new ActiveMQConnectionFactory(
                                        "tcp://127.0.0.1:" + pipeline.brokerPort(), "shop", "shop")
                                .createConnection();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            session.createConsumer(session.createTopic(ShopListener.ADDRESS)).close();
            assertThatThrownBy(
                            () ->
                                    session.createProducer(
                                                    session.createTopic(ShopListener.ADDRESS))
                                            .send(session.createTextMessage("{}")))
                    .isInstanceOf(JMSSecurityException.class)
                    .hasMessageContaining("SEND");
            assertThatThrownBy(
                            () ->
                                    session.createProducer(session.createQueue(ORDERS))
                                            .send(session.createTextMessage("{}")))
                    .isInstanceOf(JMSSecurityException.class)
                    .hasMessageContaining("SEND");
            assertThatThrownBy(() -> session.createConsumer(session.createQueue(ORDERS)))
                    .isInstanceOf(JMSSecurityException.class)
                    .hasMessageContaining("CONSUME");
        }
    }

    private long unsent(String orderId) {
        return jdbc().queryForObject(
                        "SELECT COUNT(*) FROM status_events WHERE order_id = :orderId AND sent_at IS NULL",
                        Map.of("orderId", orderId),
                        Long.class);
    }

    private NamedParameterJdbcTemplate jdbc() {
        return new NamedParameterJdbcTemplate(pipeline.dataSource());
    }
}
