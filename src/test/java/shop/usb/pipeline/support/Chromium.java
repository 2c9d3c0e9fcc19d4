package shop.usb.pipeline.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Headless Chromium driven over the DevTools protocol (JDK WebSocket and Jackson only), for browser tests of the
 * dashboard. For one test thread. Every wait is bounded (10 s, or -Dchromium.timeoutSeconds=N); failures are
 * IllegalStateExceptions that say what was awaited.
 */
public final class Chromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("chromium.timeoutSeconds", 10));

    private final Process process;
    private final Path tempDir;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<JsonNode>> eventWaiters = new ConcurrentHashMap<>();
    private final WebSocket socket;

    /** Whether /usr/bin/chromium (or the system property chromium.path) is an executable file. */
    public static boolean available() {
        return Files.isRegularFile(binary()) && Files.isExecutable(binary());
    }

    /** Launches Chromium with a new temporary profile and connects to its page. */
    public static Chromium start() {
        Path tempDir = null;
        Process process = null;
        try {
            tempDir = Files.createTempDirectory("chromium-test");
            Path profile = tempDir.resolve("profile");
            process = new ProcessBuilder(binary().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    // Docker's 64 MB /dev/shm crashes renderers; a fixed size keeps layouts and screenshots stable.
                    "--disable-dev-shm-usage", "--window-size=1400,900",
                    "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(tempDir.resolve("stderr.log").toFile()).start();
            return new Chromium(process, tempDir, pageWebSocketUrl(process, profile));
        } catch (Exception e) {
            String tail = tempDir == null ? "" : stderrTail(tempDir);
            kill(process);
            deleteTree(tempDir);
            throw new IllegalStateException("Chromium (" + binary() + ") did not start: " + e.getMessage()
                    + "\n--- its stderr (tail) ---\n" + tail, e);
        }
    }

    private Chromium(Process process, Path tempDir, URI pageUrl) {
        this.process = process;
        this.tempDir = tempDir;
        this.socket = await(HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(TIMEOUT)
                .buildAsync(pageUrl, new Listener()), "the DevTools websocket");
        call("Page.enable", Map.of());
    }

    /** Page.navigate, then waits for Page.loadEventFired. */
    public void navigate(String url) {
        CompletableFuture<JsonNode> loaded = new CompletableFuture<>();
        eventWaiters.put("Page.loadEventFired", loaded); // before sending, so the event cannot be missed
        try {
            JsonNode result = call("Page.navigate", Map.of("url", url));
            if (result.hasNonNull("errorText")) {
                throw new IllegalStateException("navigating to " + url + " failed: " + result.get("errorText"));
            }
            if (result.has("loaderId")) { // none for a same-document (#fragment) navigation, which fires no load
                await(loaded, "the load event of " + url);
            }
        } finally {
            eventWaiters.remove("Page.loadEventFired", loaded);
        }
    }

    /** Runtime.evaluate, awaiting a returned promise: the value as JSON (MissingNode for undefined). */
    public JsonNode evaluate(String expression) {
        JsonNode result = call("Runtime.evaluate",
                Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        JsonNode thrown = result.get("exceptionDetails");
        if (thrown != null) { // a throw or a rejected promise; a rejection with a non-Error has only a value
            JsonNode exception = thrown.path("exception");
            throw new IllegalStateException("JavaScript threw: " + exception.path("description").asText(
                    exception.path("value").asText(thrown.path("text").asText())) + "\n  evaluating: " + expression);
        }
        JsonNode value = result.path("result");
        return value.has("unserializableValue") ? value.get("unserializableValue") : value.path("value"); // NaN..
    }

    /**
     * Clicks like a user: scrolls the first match into view, then presses and releases the left button at its
     * centre, so hit-testing decides what gets the click. Fails if nothing matches or something else covers it.
     */
    public void click(String cssSelector) {
        JsonNode box = evaluate("(async () => {"
                + " const e = document.querySelector(" + TextNode.valueOf(cssSelector) + ");"
                + " if (!e) return {error: 'no element matches'};"
                + " e.scrollIntoView({block: 'center', inline: 'center'});"
                + " await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));" // laid out
                + " const r = e.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;"
                + " if (!r.width || !r.height) return {error: 'the element has no size (hidden?)'};"
                + " const hit = document.elementFromPoint(x, y);"
                + " if (!hit || !e.contains(hit)) return {error: 'its centre is covered by '"
                + "     + (hit ? hit.outerHTML.slice(0, 200) : 'nothing (outside the viewport?)')};"
                + " return {x, y}; })()");
        if (box.has("error")) {
            throw new IllegalStateException("cannot click " + cssSelector + ": " + box.get("error").asText());
        }
        for (String type : List.of("mouseMoved", "mousePressed", "mouseReleased")) {
            call("Input.dispatchMouseEvent", Map.of("type", type, "x", box.get("x").asDouble(),
                    "y", box.get("y").asDouble(), "button", type.equals("mouseMoved") ? "none" : "left",
                    "clickCount", 1));
        }
    }

    /** The viewport as PNG bytes. */
    public byte[] screenshot() {
        return Base64.getDecoder().decode(call("Page.captureScreenshot", Map.of("format", "png")).get("data").asText());
    }

    /** Kills Chromium and its child processes, deletes the temporary profile. */
    @Override
    public void close() {
        socket.abort();
        kill(process);
        deleteTree(tempDir);
    }

    private JsonNode call(String method, Map<String, ?> params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        replies.put(id, reply);
        try {
            ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
            message.set("params", JSON.valueToTree(params));
            await(socket.sendText(message.toString(), true), "sending " + method);
            JsonNode response = await(reply, "the reply to " + method);
            if (response.has("error")) {
                throw new IllegalStateException(method + " failed: " + response.get("error"));
            }
            return response.path("result");
        } finally {
            replies.remove(id);
        }
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
        } catch (CompletionException e) {
            throw new IllegalStateException((e.getCause() instanceof TimeoutException ? "timed out after "
                    + TIMEOUT.toSeconds() + " s" : "failed (" + e.getCause().getMessage() + ")") + " waiting for "
                    + what + (process.isAlive() ? "" : "; Chromium has exited:\n" + stderrTail(tempDir)), e.getCause());
        }
    }

    /** Joins fragments (onText with last=false) into messages; routes replies by id and events by method. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder buffer = new StringBuilder(); // the JDK calls a listener one call at a time

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(buffer.toString());
                    CompletableFuture<JsonNode> waiter = message.has("id")
                            ? replies.get(message.get("id").asInt()) // null if its caller timed out and left
                            : eventWaiters.remove(message.path("method").asText());
                    if (waiter != null) {
                        waiter.complete(message.has("id") ? message : message.path("params"));
                    }
                } catch (IOException e) {
                    failAll(new IllegalStateException("unreadable DevTools message: " + buffer, e));
                }
                buffer.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            failAll(new IllegalStateException("DevTools connection closed (" + statusCode + " " + reason + ")"));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            failAll(new IllegalStateException("DevTools connection failed: " + error, error));
        }

        private void failAll(Exception e) { // so waits end now rather than at their timeout
            replies.values().forEach(future -> future.completeExceptionally(e));
            eventWaiters.values().forEach(future -> future.completeExceptionally(e));
        }
    }

    private static Path binary() {
        return Path.of(System.getProperty("chromium.path", "/usr/bin/chromium"));
    }

    /** With port 0 Chromium picks a free port and writes it to DevToolsActivePort; /json/list names the page. */
    private static URI pageWebSocketUrl(Process process, Path profile) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TIMEOUT.multipliedBy(3).toNanos(); // cold starts on busy CI are slow
        String last = "no DevToolsActivePort file";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("it exited with code " + process.exitValue());
            }
            try {
                List<String> lines = Files.readAllLines(profile.resolve("DevToolsActivePort"));
                if (lines.size() >= 2) { // both lines there: the file is completely written
                    URI list = URI.create("http://127.0.0.1:" + lines.get(0).trim() + "/json/list");
                    last = http.send(HttpRequest.newBuilder(list).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    for (JsonNode target : JSON.readTree(last)) {
                        if (target.path("type").asText().equals("page") && target.has("webSocketDebuggerUrl")) {
                            return URI.create(target.get("webSocketDebuggerUrl").asText());
                        }
                    }
                }
            } catch (IOException e) {
                last = e.toString(); // the file or the endpoint is not there yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no page target within " + TIMEOUT.multipliedBy(3).toSeconds() + " s: " + last);
    }

    private static String stderrTail(Path tempDir) {
        try {
            String text = Files.readString(tempDir.resolve("stderr.log"));
            return text.substring(Math.max(0, text.length() - 3000));
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    private static void kill(Process process) {
        if (process == null) {
            return;
        }
        // Listed first: once the browser is gone its helpers are reparented and no longer its descendants.
        List<ProcessHandle> all = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
        process.destroy(); // SIGTERM: Chromium stops its helpers itself
        process.onExit().completeOnTimeout(process, 5, TimeUnit.SECONDS).join();
        all.forEach(ProcessHandle::destroyForcibly); // whatever is still there
        all.forEach(handle -> handle.onExit().completeOnTimeout(handle, 5, TimeUnit.SECONDS).join());
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // best effort: a leftover in the temp directory must not fail a test
        }
    }
}
