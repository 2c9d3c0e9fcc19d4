package shop.usb.pipeline.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static shop.usb.pipeline.support.Orders.ORDERS;
import static shop.usb.pipeline.support.Orders.newOrderId;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import shop.usb.pipeline.support.OnEachDatabase;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;

/**
 * The optional webhook: each status event is POSTed, signed over its timestamp and body; a failed
 * post is tried again after its backoff; one that keeps failing is parked, listed for the operator,
 * and posted again when re-sent. A real HTTP receiver stands in for the shop. On each database.
 */
@OnEachDatabase
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusWebhookTest {

    static final String SECRET = "webhook-test-secret-0123";
    static final ObjectMapper JSON = new ObjectMapper();

    @Parameter TestDatabase.Engine engine;

    PipelineRuntime pipeline;
    HttpServer receiver;
    final List<Post> posts = new CopyOnWriteArrayList<>();

    /** What the receiver answers a post of this order's event with; 200 unless set. */
    volatile Function<Post, Integer> answer = post -> 200;

    /** One post as the receiver saw it. */
    record Post(
            String contentType, String timestamp, String signature, String body, JsonNode event) {
        String orderId() {
            return event.path("subject").asText();
        }

        String type() {
            return event.path("type").asText();
        }
    }

    @BeforeParameterizedClassInvocation(injectArguments = false)
    void start(@TempDir Path root) throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext(
                "/hook",
                exchange -> {
                    String body =
                            new String(
                                    exchange.getRequestBody().readAllBytes(),
                                    StandardCharsets.UTF_8);
                    Post post =
                            new Post(
                                    exchange.getRequestHeaders().getFirst("Content-Type"),
                                    exchange.getRequestHeaders().getFirst("X-Pipeline-Timestamp"),
                                    exchange.getRequestHeaders().getFirst("X-Pipeline-Signature"),
                                    body,
                                    JSON.readTree(body));
                    posts.add(post);
                    exchange.sendResponseHeaders(answer.apply(post), -1);
                    exchange.close();
                });
        receiver.start();
        pipeline =
                PipelineRuntime.start(
                        root,
                        engine.create(root),
                        Map.of(
                                "pipeline.events.webhook-url",
                                "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                                "pipeline.events.webhook-secret",
                                SECRET,
                                "pipeline.events.webhook-interval",
                                "200",
                                "pipeline.events.webhook-first-retry",
                                "1s",
                                "pipeline.events.webhook-max-retry",
                                "1s",
                                // Three failed posts, then parked: 1 s + 1 s of waiting, a third
                                // would pass 2 s.
                                "pipeline.events.webhook-retry-for",
                                "2s"));
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void eachEventIsPostedSignedOverItsTimestampAndBody() throws Exception {
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).file("music/jazz/01-so-what.mp3").json());

        await().atMost(Duration.ofMinutes(1))
                .until(() -> types(orderId).contains("shop.usb.order.completed"));

        assertThat(types(orderId))
                .containsExactlyInAnyOrder(
                        "shop.usb.order.accepted",
                        "shop.usb.order.processing",
                        "shop.usb.order.completed");
        for (Post post : postsOf(orderId)) {
            assertThat(post.contentType()).startsWith("application/cloudevents+json");
            assertThat(post.signature())
                    .isEqualTo(
                            new WebhookSignature(SECRET)
                                    .sign(Long.parseLong(post.timestamp()), post.body()));
            assertThat(post.signature())
                    .as("another secret signs differently")
                    .isNotEqualTo(
                            new WebhookSignature(SECRET + "x")
                                    .sign(Long.parseLong(post.timestamp()), post.body()));
            assertThat(Instant.ofEpochSecond(Long.parseLong(post.timestamp())))
                    .isBetween(Instant.now().minusSeconds(300), Instant.now().plusSeconds(5));
            assertThat(post.event().path("specversion").asText()).isEqualTo("1.0");
        }
    }

    @Test
    void aFailedPostIsTriedAgainUntilTheReceiverTakesIt() throws Exception {
        String orderId = newOrderId();
        AtomicInteger refused = new AtomicInteger();
        answer =
                post ->
                        post.orderId().equals(orderId)
                                        && post.type().endsWith(".accepted")
                                        && refused.incrementAndGet() <= 2
                                ? 500
                                : 200;
        pipeline.sendText(ORDERS, order(orderId).file("music/jazz/01-so-what.mp3").json());

        await().atMost(Duration.ofMinutes(1)).until(() -> refused.get() > 2);

        List<String> acceptedIds =
                postsOf(orderId).stream()
                        .filter(post -> post.type().endsWith(".accepted"))
                        .map(post -> post.event().path("id").asText())
                        .toList();
        assertThat(acceptedIds).hasSize(3).containsOnly(acceptedIds.get(0));
        assertThat(parked().path("count").asLong()).isZero();
    }

    @Test
    void aPostThatKeepsFailingIsParkedListedAndPostedAgainWhenResent() throws Exception {
        String orderId = newOrderId();
        answer = post -> post.orderId().equals(orderId) ? 503 : 200;
        pipeline.sendText(ORDERS, order(orderId).file("music/jazz/01-so-what.mp3").json());

        await().atMost(Duration.ofMinutes(1)).until(() -> parkedOf(orderId).size() == 3);
        JsonNode accepted =
                parkedOf(orderId).stream()
                        .filter(event -> event.path("type").asText().endsWith(".accepted"))
                        .findFirst()
                        .orElseThrow();
        assertThat(accepted.path("attempts").asInt()).isEqualTo(3);
        assertThat(accepted.path("error").asText()).startsWith("HTTP 503");
        assertThat(postsOf(orderId).stream().filter(post -> post.type().endsWith(".accepted")))
                .hasSize(3);

        answer = post -> 200;
        var resent =
                pipeline.http(
                        "POST",
                        "/api/status-events/" + accepted.path("id").asText() + "/resend",
                        null);
        assertThat(resent.statusCode()).isEqualTo(200);

        await().atMost(Duration.ofMinutes(1))
                .until(
                        () ->
                                postsOf(orderId).stream()
                                                .filter(post -> post.type().endsWith(".accepted"))
                                                .count()
                                        == 4);
        await().atMost(Duration.ofMinutes(1)).until(() -> parkedOf(orderId).size() == 2);
        assertThat(
                        pipeline.http(
                                        "POST",
                                        "/api/status-events/"
                                                + accepted.path("id").asText()
                                                + "/resend",
                                        null)
                                .statusCode())
                .as("it is no longer parked")
                .isEqualTo(404);
    }

    private List<Post> postsOf(String orderId) {
        return posts.stream().filter(post -> post.orderId().equals(orderId)).toList();
    }

    private List<String> types(String orderId) {
        return postsOf(orderId).stream().map(Post::type).distinct().toList();
    }

    private JsonNode parked() throws Exception {
        return JSON.readTree(pipeline.http("GET", "/api/status-events/parked", null).body());
    }

    private List<JsonNode> parkedOf(String orderId) throws Exception {
        List<JsonNode> events = new java.util.ArrayList<>();
        for (JsonNode event : parked().path("events")) {
            if (event.path("orderId").asText().equals(orderId)) {
                events.add(event);
            }
        }
        return events;
    }
}
