package shop.usb.pipeline.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Body;

/**
 * GET /api/events: a Server-Sent Events stream of job and slot changes for the dashboard. The
 * live-events route hands each look of the {@link ChangeFeed} to {@link #publish}; a stream with no
 * change for a while gets a comment line, so that proxies keep it open. Streams are bounded: so
 * many in all (more get 503 and poll instead), so many per client, its user and address (more get
 * 429), and each ends after its lifetime (the browser reconnects on its own).
 */
public class LiveEvents implements Handler<RoutingContext> {

    public static final String BEAN_NAME = "liveEvents";
    public static final String PATH = "/api/events";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final long KEEP_ALIVE_NANOS = 15_000_000_000L;

    /** pipeline.live-events.max-streams, max-streams-per-client and stream-lifetime. */
    public record StreamLimits(int total, int perClient, Duration lifetime) {}

    private final StreamLimits limits;

    /** Each open stream and its client. */
    private final Map<HttpServerResponse, String> listeners = new ConcurrentHashMap<>();

    /** Guarded by this: checked and counted in one step, whichever event loop asks. */
    private final Map<String, Integer> streamsOfClient = new HashMap<>();

    private volatile long lastWrite = System.nanoTime();

    public LiveEvents(StreamLimits limits) {
        this.limits = limits;
    }

    @Override
    public void handle(RoutingContext context) {
        HttpServerResponse response = context.response();
        String client = clientOf(context);
        String refused = admit(response, client);
        if (refused != null) {
            boolean full = refused.equals("TOO_MANY_LISTENERS");
            response.setStatusCode(full ? 503 : 429)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Retry-After", "10")
                    .end(
                            "{\"error\":\""
                                    + refused
                                    + "\",\"message\":\""
                                    + (full
                                            ? "Too many event streams are open"
                                            : "This client has "
                                                    + limits.perClient()
                                                    + " event streams open already")
                                    + "; poll GET /api/jobs instead\"}");
            return;
        }
        long lifetime =
                context.vertx()
                        .setTimer(
                                limits.lifetime().toMillis(),
                                expired -> {
                                    if (!response.ended() && !response.closed()) {
                                        response.end();
                                    }
                                });
        response.closeHandler(
                closed -> {
                    context.vertx().cancelTimer(lifetime);
                    leave(response);
                });
        response.endHandler(ended -> leave(response));
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-store");
        // How long a browser waits before it reconnects a broken stream, then a first line to start
        // it.
        response.write("retry: 2000\n: listening\n\n");
    }

    /** The user the gate set, and the address it came from. */
    private static String clientOf(RoutingContext context) {
        String user = context.user() == null ? "anonymous" : context.user().subject();
        return user + "@" + context.request().remoteAddress().hostAddress();
    }

    /** Null when the stream is admitted (and counted), else the refusal's code. */
    private synchronized String admit(HttpServerResponse response, String client) {
        if (listeners.size() >= limits.total()) {
            return "TOO_MANY_LISTENERS";
        }
        if (streamsOfClient.getOrDefault(client, 0) >= limits.perClient()) {
            return "TOO_MANY_STREAMS_FROM_CLIENT";
        }
        streamsOfClient.merge(client, 1, Integer::sum);
        listeners.put(response, client);
        return null;
    }

    private synchronized void leave(HttpServerResponse response) {
        String client = listeners.remove(response);
        if (client != null) {
            streamsOfClient.computeIfPresent(client, (name, open) -> open == 1 ? null : open - 1);
        }
    }

    /** Whether any stream is open: the feed reads the database only then. */
    public boolean listening() {
        return !listeners.isEmpty();
    }

    /**
     * Sends each change to every open stream; without changes, a keep-alive comment now and then.
     */
    public void publish(@Body List<ChangeFeed.Change> changes) {
        if (changes.isEmpty() && System.nanoTime() - lastWrite < KEEP_ALIVE_NANOS) {
            return;
        }
        lastWrite = System.nanoTime();
        StringBuilder events = new StringBuilder();
        for (ChangeFeed.Change change : changes) {
            events.append("event: ")
                    .append(change.type())
                    .append('\n')
                    .append("data: ")
                    .append(json(change))
                    .append("\n\n");
        }
        String text = events.isEmpty() ? ": nothing changed\n\n" : events.toString();
        for (HttpServerResponse listener : listeners.keySet()) {
            if (listener.closed() || listener.ended()) {
                leave(listener);
            } else if (!listener.writeQueueFull()) {
                try {
                    listener.write(text);
                } catch (IllegalStateException closedMeanwhile) {
                    leave(listener);
                }
            }
            // A listener whose queue is full (a stalled browser) misses this look; it reloads on
            // the next.
        }
    }

    private static String json(ChangeFeed.Change change) {
        try {
            return JSON.writeValueAsString(change.data());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
