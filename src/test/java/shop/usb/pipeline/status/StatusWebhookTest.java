package shop.usb.pipeline.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static shop.usb.pipeline.support.Orders.ORDERS;
import static shop.usb.pipeline.support.Orders.newOrderId;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import shop.usb.pipeline.support.OnEachDatabase;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;
import shop.usb.pipeline.support.WebhookReceiver;
import shop.usb.pipeline.support.WebhookReceiver.Post;

/**
 * The optional webhook: each status event is POSTed, signed over its timestamp and body; a failed
 * post is tried again after its backoff; one that keeps failing is parked, listed for the operator,
 * and posted again when re-sent. A real HTTP receiver stands in for the shop. On each database.
 */
@OnEachDatabase
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusWebhookTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Parameter TestDatabase.Engine engine;

    PipelineRuntime pipeline;
    WebhookReceiver receiver;

    @BeforeParameterizedClassInvocation(injectArguments = false)
    void start(@TempDir Path root) throws Exception {
        receiver = WebhookReceiver.start();
        pipeline =
                PipelineRuntime.start(
                        root,
                        engine.create(root),
                        // A receiver's token in the query reaches it as it is written. Three failed
                        // posts, then parked: 1 s + 1 s of waiting, a third would pass 2 s.
                        receiver.settings("?token=a%2Bb", "2s"));
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void eachEventIsPostedSignedOverItsTimestampAndBody() throws Exception {
        String completed = newOrderId();
        String failed = newOrderId();
        pipeline.sendText(ORDERS, order(completed).file("music/jazz/01-so-what.mp3").json());
        // Its failure names the file: a body that is not ASCII.
        pipeline.sendText(ORDERS, order(failed).file("music/ñandú-über.mp3").json());

        await().atMost(Duration.ofMinutes(1))
                .until(
                        () ->
                                types(completed).contains("shop.usb.order.completed")
                                        && types(failed).contains("shop.usb.order.failed"));

        assertThat(types(completed))
                .containsExactlyInAnyOrder(
                        "shop.usb.order.accepted",
                        "shop.usb.order.processing",
                        "shop.usb.order.completed");
        assertThat(postsOf(failed))
                .anySatisfy(
                        post ->
                                assertThat(new String(post.body(), StandardCharsets.UTF_8))
                                        .contains("ñandú-über"));
        for (Post post : receiver.posts()) {
            assertThat(post.query()).isEqualTo("token=a%2Bb");
            assertThat(post.contentType()).startsWith("application/cloudevents+json");
            assertThat(post.signature()).isEqualTo(hmac(post.timestamp(), post.body()));
            assertThat(post.signature())
                    .as("the product's own signing agrees")
                    .isEqualTo(
                            new WebhookSignature(WebhookReceiver.SECRET)
                                    .sign(
                                            Long.parseLong(post.timestamp()),
                                            new String(post.body(), StandardCharsets.UTF_8)));
            assertThat(Instant.ofEpochSecond(Long.parseLong(post.timestamp())))
                    .isBetween(Instant.now().minusSeconds(300), Instant.now().plusSeconds(5));
            assertThat(post.event().path("specversion").asText()).isEqualTo("1.0");
            assertThat(post.headers())
                    .as("nothing of the product's own goes out with a post")
                    .noneMatch(
                            name ->
                                    name.equalsIgnoreCase("webhookDue")
                                            || name.equalsIgnoreCase("_AMQ_DUPL_ID")
                                            || name.toLowerCase(Locale.ROOT).startsWith("camel")
                                            || name.toLowerCase(Locale.ROOT).startsWith("status"));
        }
    }

    /** The signature as a receiver computes it: over the raw bytes it received. */
    private static String hmac(String timestamp, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(
                new SecretKeySpec(
                        WebhookReceiver.SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    @Test
    void aFailedPostIsTriedAgainUntilTheReceiverTakesIt() throws Exception {
        String orderId = newOrderId();
        AtomicInteger refused = new AtomicInteger();
        receiver.answer(
                post ->
                        post.orderId().equals(orderId)
                                        && post.type().endsWith(".accepted")
                                        && refused.incrementAndGet() <= 2
                                ? 500
                                : 200);
        pipeline.sendText(ORDERS, order(orderId).file("music/jazz/01-so-what.mp3").json());

        await().atMost(Duration.ofMinutes(1)).until(() -> refused.get() > 2);

        List<String> acceptedIds =
                postsOf(orderId).stream()
                        .filter(post -> post.type().endsWith(".accepted"))
                        .map(post -> post.event().path("id").asText())
                        .toList();
        assertThat(acceptedIds).hasSize(3).containsOnly(acceptedIds.get(0));
        assertThat(parkedOf(orderId)).isEmpty();
    }

    @Test
    void aPostThatKeepsFailingIsParkedListedAndPostedAgainWhenResent() throws Exception {
        String orderId = newOrderId();
        receiver.answer(post -> post.orderId().equals(orderId) ? 503 : 200);
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

        receiver.answer(post -> 200);
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
        return receiver.posts().stream().filter(post -> post.orderId().equals(orderId)).toList();
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
