package shop.usb.pipeline.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Body;

/**
 * GET /api/events: a Server-Sent Events stream of job and slot changes for the dashboard. The
 * live-events route hands each look of the {@link ChangeFeed} to {@link #publish}; a stream with no
 * change for a while gets a comment line, so that proxies keep it open. At most {@value
 * #MAX_LISTENERS} streams; more get 503 and poll instead.
 */
public class LiveEvents implements Handler<RoutingContext> {

    public static final String BEAN_NAME = "liveEvents";
    public static final String PATH = "/api/events";
    static final int MAX_LISTENERS = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final long KEEP_ALIVE_NANOS = 15_000_000_000L;

    private final Set<HttpServerResponse> listeners = ConcurrentHashMap.newKeySet();
    private volatile long lastWrite = System.nanoTime();

    @Override
    public void handle(RoutingContext context) {
        HttpServerResponse response = context.response();
        if (listeners.size() >= MAX_LISTENERS) {
            response.setStatusCode(503)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Retry-After", "10")
                    .end(
                            "{\"error\":\"TOO_MANY_LISTENERS\",\"message\":\"Too many event streams are open; poll"
                                    + " GET /api/jobs instead\"}");
            return;
        }
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-store");
        response.closeHandler(closed -> listeners.remove(response));
        // How long a browser waits before it reconnects a broken stream, then a first line to start
        // it.
        response.write("retry: 2000\n: listening\n\n");
        listeners.add(response);
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
        for (HttpServerResponse listener : listeners) {
            if (listener.closed() || listener.ended()) {
                listeners.remove(listener);
            } else if (!listener.writeQueueFull()) {
                try {
                    listener.write(text);
                } catch (IllegalStateException closedMeanwhile) {
                    listeners.remove(listener);
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
