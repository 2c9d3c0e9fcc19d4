package shop.usb.pipeline.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A shop's webhook receiver on this machine: a real HTTP server that keeps every post as it came
 * and answers each as told (200 unless set), and the settings that point the product at it.
 */
public final class WebhookReceiver implements AutoCloseable {

    public static final String SECRET = "webhook-test-secret-0123";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<Post> posts = new CopyOnWriteArrayList<>();
    private volatile Function<Post, Integer> answer = post -> 200;

    /** One post as the receiver saw it: its raw query, header names, raw body and the event. */
    public record Post(
            String query,
            List<String> headers,
            String contentType,
            String timestamp,
            String signature,
            byte[] body,
            JsonNode event) {
        public String orderId() {
            return event.path("subject").asText();
        }

        public String type() {
            return event.path("type").asText();
        }
    }

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    public static WebhookReceiver start() throws IOException {
        WebhookReceiver receiver =
                new WebhookReceiver(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
        receiver.server.createContext(
                "/hook",
                exchange -> {
                    byte[] body = exchange.getRequestBody().readAllBytes();
                    Post post =
                            new Post(
                                    exchange.getRequestURI().getRawQuery(),
                                    List.copyOf(exchange.getRequestHeaders().keySet()),
                                    exchange.getRequestHeaders().getFirst("Content-Type"),
                                    exchange.getRequestHeaders().getFirst("X-Pipeline-Timestamp"),
                                    exchange.getRequestHeaders().getFirst("X-Pipeline-Signature"),
                                    body,
                                    JSON.readTree(body));
                    receiver.posts.add(post);
                    exchange.sendResponseHeaders(receiver.answer.apply(post), -1);
                    exchange.close();
                });
        receiver.server.start();
        return receiver;
    }

    /** How the receiver answers each post from now on (an HTTP status). */
    public void answer(Function<Post, Integer> answer) {
        this.answer = answer;
    }

    public List<Post> posts() {
        return List.copyOf(posts);
    }

    /**
     * The product's settings for this receiver ({@code query} appended to its URL, may be empty): a
     * post that fails is tried again after 1 s, for {@code retryFor} in all, then parked.
     */
    public Map<String, String> settings(String query, String retryFor) {
        return Map.of(
                "pipeline.events.webhook-url",
                "http://127.0.0.1:" + server.getAddress().getPort() + "/hook" + query,
                "pipeline.events.webhook-secret",
                SECRET,
                "pipeline.events.webhook-interval",
                "200",
                "pipeline.events.webhook-first-retry",
                "1s",
                "pipeline.events.webhook-max-retry",
                "1s",
                "pipeline.events.webhook-retry-for",
                retryFor);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
