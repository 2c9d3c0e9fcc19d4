package shop.usb.pipeline.support;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * Headless Chromium over the DevTools protocol (JDK WebSocket and Jackson only), for one test
 * thread. Every wait is bounded (10 s, or -Dchromium.timeoutSeconds=N); failures are
 * IllegalStateExceptions saying what was awaited.
 */
public final class Chromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT =
            Duration.ofSeconds(Long.getLong("chromium.timeoutSeconds", 10));
    private static final Path BINARY =
            Path.of(System.getProperty("chromium.path", "/usr/bin/chromium"));

    private final Process process;
    private final Path tempDir;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<JsonNode>> eventWaiters = new ConcurrentHashMap<>();
    private final WebSocket socket;

    /** Whether /usr/bin/chromium (or the system property chromium.path) is an executable file. */
    public static boolean available() {
        return Files.isRegularFile(BINARY) && Files.isExecutable(BINARY);
    }

    /**
     * Skips the calling test loudly where Chromium is missing, except where
     * PIPELINE_BROWSER_TESTS=required (.ci/run sets it): there it fails.
     */
    public static void requireOrSkip() {
        if (!available()) {
            if ("required".equals(System.getenv("PIPELINE_BROWSER_TESTS"))) {
                fail(
                        "Chromium is required here but "
                                + BINARY
                                + " is missing (apt-get install -y chromium)");
            }
            assumeTrue(false, "Chromium is not installed; .ci/run installs it");
        }
    }

    /** Launches Chromium with a new temporary profile and connects to its page. */
    public static Chromium start() {
        Path tempDir = null;
        Process process = null;
        try {
            tempDir = Files.createTempDirectory("chromium-test");
            Path profile = tempDir.resolve("profile");
            process =
                    new ProcessBuilder(
                                    BINARY.toString(),
                                    "--headless",
                                    "--no-sandbox",
                                    "--disable-gpu",
                                    "--disable-quic",
                                    "--no-first-run",
                                    "--disable-background-networking",
                                    "--disable-sync",
                                    // Docker's 64 MB /dev/shm crashes renderers; a fixed window
                                    // keeps layouts and screenshots stable.
                                    "--disable-component-update",
                                    "--disable-dev-shm-usage",
                                    "--window-size=1400,900",
                                    "--remote-debugging-port=0",
                                    "--user-data-dir=" + profile,
                                    "about:blank")
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(tempDir.resolve("stderr.log").toFile())
                            .start();
            return new Chromium(process, tempDir, pageWebSocketUrl(process, profile));
        } catch (Exception e) {
            String stderr = tempDir == null ? "" : stderrTail(tempDir);
            kill(process);
            deleteTree(tempDir);
            throw new IllegalStateException(
                    "Chromium ("
                            + BINARY
                            + ") did not start: "
                            + e.getMessage()
                            + "\n--- its stderr (tail) ---\n"
                            + stderr,
                    e);
        }
    }

    private Chromium(Process process, Path tempDir, URI pageUrl) {
        this.process = process;
        this.tempDir = tempDir;
        this.socket =
                await(
                        HttpClient.newHttpClient()
                                .newWebSocketBuilder()
                                .connectTimeout(TIMEOUT)
                                .buildAsync(pageUrl, new Listener()),
                        "the DevTools websocket");
        call("Page.enable", Map.of());
    }

    /** Page.navigate, then waits for Page.loadEventFired. */
    public void navigate(String url) {
        CompletableFuture<JsonNode> loaded = new CompletableFuture<>();
        eventWaiters.put(
                "Page.loadEventFired", loaded); // before sending, so the event cannot be missed
        JsonNode result = call("Page.navigate", Map.of("url", url));
        if (result.hasNonNull("errorText")) {
            throw new IllegalStateException(
                    "navigating to " + url + " failed: " + result.get("errorText"));
        }
        if (result.has(
                "loaderId")) { // none for a same-document (#fragment) navigation, which fires no
            // load
            await(loaded, "the load event of " + url);
        }
    }

    /**
     * Runtime.evaluate, awaiting a returned promise: the value as JSON (MissingNode for undefined).
     */
    public JsonNode evaluate(String expression) {
        JsonNode result =
                call(
                        "Runtime.evaluate",
                        Map.of(
                                "expression",
                                expression,
                                "returnByValue",
                                true,
                                "awaitPromise",
                                true));
        JsonNode thrown = result.get("exceptionDetails");
        if (thrown
                != null) { // a throw or a rejected promise; a rejection with a non-Error has only a
            // value
            JsonNode exception = thrown.path("exception");
            throw new IllegalStateException(
                    "JavaScript threw: "
                            + exception
                                    .path("description")
                                    .asText(
                                            exception
                                                    .path("value")
                                                    .asText(thrown.path("text").asText()))
                            + "\n  evaluating: "
                            + expression);
        }
        return result.path("result").path("value");
    }

    /**
     * Scrolls the first match into view and clicks its centre with the mouse: hit-testing decides
     * what gets it.
     */
    public void click(String cssSelector) {
        JsonNode box =
                evaluate(
                        "(async () => {"
                                + " const e = document.querySelector("
                                + TextNode.valueOf(cssSelector)
                                + ");"
                                + " if (!e) return {error: 'no element matches'};"
                                + " e.scrollIntoView({block: 'center', inline: 'center'});"
                                + " await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));" // laid out
                                + " const r = e.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;"
                                + " const hit = r.width && r.height ? document.elementFromPoint(x, y) : null;"
                                + " if (!hit || !e.contains(hit)) return {error: hit ? 'its centre is covered by '"
                                + "     + hit.outerHTML.slice(0, 200) : 'it has no size or is off screen'};"
                                + " return {x, y}; })()");
        if (box.has("error")) {
            throw new IllegalStateException(
                    "cannot click " + cssSelector + ": " + box.get("error").asText());
        }
        for (String type : List.of("mouseMoved", "mousePressed", "mouseReleased")) {
            call(
                    "Input.dispatchMouseEvent",
                    Map.of(
                            "type",
                            type,
                            "x",
                            box.get("x"),
                            "y",
                            box.get("y"),
                            "button",
                            type.equals("mouseMoved") ? "none" : "left",
                            "clickCount",
                            1));
        }
    }

    /** The viewport as PNG bytes. */
    public byte[] screenshot() {
        return Base64.getDecoder()
                .decode(
                        call("Page.captureScreenshot", Map.of("format", "png"))
                                .get("data")
                                .asText());
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
        replies.put(id, reply); // the listener removes it (a stale one after a timeout is harmless)
        String message =
                JSON.valueToTree(Map.of("id", id, "method", method, "params", params)).toString();
        await(socket.sendText(message, true), "sending " + method);
        JsonNode response = await(reply, "the reply to " + method);
        if (response.has("error")) {
            throw new IllegalStateException(method + " failed: " + response.get("error"));
        }
        return response.path("result");
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
        } catch (CompletionException e) {
            throw new IllegalStateException(
                    (e.getCause() instanceof TimeoutException
                                    ? "timed out after " + TIMEOUT.toSeconds() + " s"
                                    : "failed (" + e.getCause().getMessage() + ")")
                            + " waiting for "
                            + what
                            + (process.isAlive()
                                    ? ""
                                    : "; Chromium has exited:\n" + stderrTail(tempDir)),
                    e.getCause());
        }
    }

    /**
     * Joins fragments (onText with last=false) into messages; routes replies by id and events by
     * method.
     */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder buffer =
                new StringBuilder(); // no lock: the JDK calls it one call at a time

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(buffer.toString());
                    CompletableFuture<JsonNode> waiter =
                            message.has("id")
                                    ? replies.remove(message.get("id").asInt())
                                    : eventWaiters.remove(message.path("method").asText());
                    if (waiter != null) {
                        waiter.complete(message.has("id") ? message : message.path("params"));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(
                            e); // ends the connection; waits then fail with a timeout
                } finally {
                    buffer.setLength(0);
                }
            }
            webSocket.request(1);
            return null;
        }
    }

    private static URI pageWebSocketUrl(Process process, Path profile) {
        return Awaitility.await("Chromium's DevTools page target")
                .atMost(TIMEOUT.multipliedBy(3)) // a cold start on a busy CI machine is slow
                .pollInterval(Duration.ofMillis(100))
                .failFast("Chromium exited", () -> !process.isAlive())
                .ignoreExceptions()
                .until(() -> pageTarget(profile.resolve("DevToolsActivePort")), Optional::isPresent)
                .orElseThrow();
    }

    // With port 0 Chromium picks a free port and writes it to DevToolsActivePort; /json/list then
    // names the page.
    private static Optional<URI> pageTarget(Path portFile) throws Exception {
        List<String> lines = Files.exists(portFile) ? Files.readAllLines(portFile) : List.of();
        if (lines.size() < 2) { // both lines there: the file is complete and the port listens
            return Optional.empty();
        }
        URI list = URI.create("http://127.0.0.1:" + lines.get(0).trim() + "/json/list");
        for (JsonNode target :
                JSON.readTree(
                        HttpClient.newHttpClient()
                                .send(
                                        HttpRequest.newBuilder(list).timeout(TIMEOUT).build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body())) {
            if (target.path("type").asText().equals("page") && target.has("webSocketDebuggerUrl")) {
                return Optional.of(URI.create(target.get("webSocketDebuggerUrl").asText()));
            }
        }
        return Optional.empty();
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
        if (process
                != null) { // helpers listed first: once the browser is gone they are no longer its
            // descendants
            List<ProcessHandle> all =
                    Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
            all.forEach(
                    ProcessHandle
                            ::destroyForcibly); // the profile is thrown away, no need for a clean
            // exit
            all.forEach(
                    handle ->
                            handle.onExit().completeOnTimeout(handle, 5, TimeUnit.SECONDS).join());
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = dir == null ? Stream.empty() : Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // best effort: a leftover in the temp directory must not fail a test
        }
    }
}
