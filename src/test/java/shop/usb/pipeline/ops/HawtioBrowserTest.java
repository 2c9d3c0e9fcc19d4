package shop.usb.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.support.Chromium;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;

/**
 * A real Hawtio 4 (io.hawt:hawtio-war on Jetty's ee10 runner, both copied into target/hawtio by the
 * build) connects to the product's Jolokia through its proxy, as an operator's would, and shows the
 * route diagram of job-dispatch: the Jolokia policy allows what Hawtio's Camel views need.
 */
class HawtioBrowserTest {

    /** The product's Jolokia policy accepts Hawtio pages from this origin only. */
    static final int HAWTIO_PORT = 8090;

    static final String HAWTIO = "http://127.0.0.1:" + HAWTIO_PORT + "/hawtio";
    static final String ROUTE = "job-dispatch";
    private static final Path HAWTIO_FILES = Path.of("target", "hawtio");

    @Test
    void theRouteDiagramOfJobDispatchShowsItsNodes(@TempDir Path root) throws Exception {
        Chromium.requireOrSkip();
        try (PipelineRuntime pipeline =
                PipelineRuntime.start(root, TestDatabase.h2(root.resolve("db")), Map.of())) {
            pipeline.sendText(
                    "orders.confirmed", order("HAWTIO-1").file("music/jazz/01-so-what.mp3").json());
            pipeline.awaitJob("HAWTIO-1", JobStatus.COMPLETED);
            Process hawtio = startHawtio(root.resolve("hawtio-tmp"));
            try (Chromium browser = Chromium.start()) {
                try {
                    showTheDiagram(browser, pipeline.managementPort());
                } catch (AssertionError | RuntimeException e) {
                    Files.write(Path.of("target", "hawtio-failure.png"), browser.screenshot());
                    throw e;
                }
            } finally {
                hawtio.destroy(); // SIGTERM: Jetty deletes the unpacked war
                if (!hawtio.waitFor(20, TimeUnit.SECONDS)) {
                    hawtio.destroyForcibly();
                }
            }
        }
    }

    private static void showTheDiagram(Chromium browser, int jolokiaPort) throws Exception {
        // Hawtio 4.2 keeps its connections in the page origin's localStorage and opens one by name
        // (?con=).
        browser.navigate(HAWTIO + "/robots.txt");
        String connection =
                new ObjectMapper()
                        .writeValueAsString(
                                Map.of(
                                        "pipeline",
                                        Map.of(
                                                "id",
                                                "pipeline",
                                                "name",
                                                "pipeline",
                                                "scheme",
                                                "http",
                                                "host",
                                                "127.0.0.1",
                                                "port",
                                                jolokiaPort,
                                                "path",
                                                "/observe/jolokia")));
        browser.evaluate(
                "localStorage.setItem('connect.connections', "
                        + new ObjectMapper().writeValueAsString(connection)
                        + "); true");
        browser.navigate(HAWTIO + "/camel?con=pipeline");

        String routeNode =
                "li[id$=\"-folder-routes-folder-"
                        + ROUTE
                        + "-folder\"] > .pf-v5-c-tree-view__content"
                        + " > .pf-v5-c-tree-view__node";
        await(
                "the Camel tree to list " + ROUTE,
                Duration.ofSeconds(60),
                () ->
                        browser.evaluate(
                                        "document.querySelector('"
                                                + routeNode.replace("'", "\\'")
                                                + "') !== null")
                                .asBoolean());
        browser.click(routeNode);
        String diagramTab = "a.pf-v5-c-nav__link[href$=\"/camel/routeDiagram\"]";
        await(
                "the Route Diagram tab",
                Duration.ofSeconds(20),
                () ->
                        browser.evaluate(
                                        "document.querySelector('"
                                                + diagramTab.replace("'", "\\'")
                                                + "') !== null")
                                .asBoolean());
        browser.click(diagramTab);

        String nodes = "document.querySelectorAll('.camel-route-diagram .react-flow__node-camel')";
        await(
                "the diagram's nodes",
                Duration.ofSeconds(30),
                () -> browser.evaluate(nodes + ".length").asInt() > 5);
        List<String> labels =
                List.of(
                        new ObjectMapper()
                                .convertValue(
                                        browser.evaluate(
                                                "[..."
                                                        + nodes
                                                        + "].map(n => n.querySelector('.camel-node-label')?.textContent.trim() || '')"),
                                        String[].class));
        assertThat(labels.get(0))
                .as("the route starts at its JMS consumer")
                .startsWith("From jms:queue:");
        assertThat(labels)
                .as("the steps of " + ROUTE)
                .anyMatch(label -> label.contains("jobClaimer"))
                .anyMatch(label -> label.startsWith("To direct:stage-"));
        // Processor statistics: the claim step counts the job message the order became.
        await(
                "the claim step's count",
                Duration.ofSeconds(15),
                () ->
                        browser.evaluate(
                                        "[..."
                                                + nodes
                                                + "].some(n =>"
                                                + " (n.querySelector('.camel-node-label')?.textContent || '').includes('jobClaimer')"
                                                + " && Number(n.querySelector('.number')?.textContent) >= 1)")
                                .asBoolean());
    }

    private static Process startHawtio(Path tmp) throws Exception {
        Files.createDirectories(tmp);
        Path log = tmp.resolve("hawtio.log");
        Process process =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx256m",
                                "-Djava.io.tmpdir=" + tmp,
                                // The operator logs in to the product's Jolokia, not to Hawtio; its
                                // proxy reaches 127.0.0.1 only.
                                "-Dhawtio.authenticationEnabled=false",
                                "-Dhawtio.localAddressProbing=false",
                                "-Dhawtio.proxyAllowlist=127.0.0.1",
                                "-jar",
                                HAWTIO_FILES.resolve("jetty-ee10-runner.jar").toString(),
                                "--host",
                                "127.0.0.1",
                                "--port",
                                String.valueOf(HAWTIO_PORT),
                                "--path",
                                "/hawtio",
                                HAWTIO_FILES.resolve("hawtio-war.war").toString())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        HttpClient http = HttpClient.newHttpClient();
        try {
            await(
                    "Hawtio to start (its log: " + log + ")",
                    Duration.ofSeconds(60),
                    () -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException(
                                    "Hawtio exited:\n" + Files.readString(log));
                        }
                        HttpResponse<String> enabled =
                                http.send(
                                        HttpRequest.newBuilder(
                                                        URI.create(HAWTIO + "/proxy/enabled"))
                                                .timeout(Duration.ofSeconds(2))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString());
                        return enabled.statusCode() == 200;
                    });
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        return process;
    }

    private static void await(String what, Duration atMost, Callable<Boolean> condition) {
        Awaitility.await(what)
                .atMost(atMost)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsMatching(
                        e ->
                                !(e instanceof IllegalStateException
                                        && e.getMessage() != null
                                        && e.getMessage().startsWith("Hawtio exited")))
                .until(condition);
    }
}
