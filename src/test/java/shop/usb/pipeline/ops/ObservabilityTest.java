package shop.usb.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;

/**
 * The operations surface on the management port: health checks of what this instance needs, the
 * Prometheus scrape, and Jolokia for Hawtio with its access policy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> HAWTIO = Map.of("Origin", "http://127.0.0.1:8090");
    PipelineRuntime pipeline;

    @BeforeAll
    void startPipeline(@TempDir Path root) throws Exception {
        pipeline = PipelineRuntime.start(root, TestDatabase.h2(root.resolve("db")), Map.of());
        pipeline.sendText(
                "orders.confirmed", order("OBS-1").file("music/jazz/01-so-what.mp3").json());
        pipeline.awaitJob("OBS-1", JobStatus.COMPLETED);
        // The stage timers and counters are recorded as the run ends, after its status shows.
        pipeline.awaitRunsEnded();
    }

    @AfterAll
    void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void healthChecksCoverRoutesBrokerDatabaseAndMountsButNotTheVerdict() throws Exception {
        var full = pipeline.management("GET", "/observe/health?exposureLevel=full", null, Map.of());
        assertThat(full.statusCode()).isEqualTo(200);
        List<String> checks = new ArrayList<>();
        JSON.readTree(full.body())
                .path("checks")
                .forEach(
                        check -> {
                            checks.add(check.path("name").asText());
                            assertThat(check.path("status").asText())
                                    .as(check.toString())
                                    .isEqualTo("UP");
                        });
        assertThat(checks)
                .contains(
                        "database",
                        "broker",
                        "usb-mounts",
                        "route:order-intake",
                        "consumer:job-dispatch",
                        "route:manifest-intake")
                .as("how jobs fare is the verdict's business, not readiness'")
                .doesNotContain("pipeline");
        assertThat(pipeline.management("GET", "/observe/health/ready", null, Map.of()).statusCode())
                .isEqualTo(200);
        assertThat(pipeline.management("GET", "/observe/health/live", null, Map.of()).statusCode())
                .isEqualTo(200);
        JsonNode verdict = JSON.readTree(pipeline.http("GET", "/api/health", null).body());
        assertThat(verdict.path("status").asText()).isEqualTo("healthy");
        assertThat(verdict.path("issues")).isEmpty();
    }

    @Test
    void anUnpluggedMountDegradesThePipelineAndAllUnpluggedMakeItUnhealthy() throws Exception {
        Path slotB = pipeline.root().resolve("usb/slot-b");
        Path away = pipeline.root().resolve("usb/slot-b-away");
        Files.move(slotB, away);
        try {
            JsonNode degraded = JSON.readTree(pipeline.http("GET", "/api/health", null).body());
            assertThat(degraded.path("status").asText()).isEqualTo("degraded");
            assertThat(degraded.path("issues").get(0).path("condition").asText())
                    .isEqualTo("usb-mounts");
            assertThat(degraded.path("issues").get(0).path("figure").asText())
                    .isEqualTo("1 of 2 unusable");

            Path slotA = pipeline.mountA();
            Path awayA = pipeline.root().resolve("usb/slot-a-away");
            Files.move(slotA, awayA);
            try {
                var unhealthy = pipeline.http("GET", "/api/health", null);
                assertThat(unhealthy.statusCode()).isEqualTo(503);
                assertThat(JSON.readTree(unhealthy.body()).path("status").asText())
                        .isEqualTo("unhealthy");
                var ready = pipeline.management("GET", "/observe/health/ready", null, Map.of());
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("usb-mounts");
                assertThat(
                                pipeline.management("GET", "/observe/health/live", null, Map.of())
                                        .statusCode())
                        .as("liveness does not depend on the mounts")
                        .isEqualTo(200);
            } finally {
                Files.move(awayA, slotA);
            }
        } finally {
            Files.move(away, slotB);
        }
    }

    @Test
    void prometheusScrapeHasRouteJobStageAndMountMetrics() throws Exception {
        var scrape = pipeline.management("GET", "/observe/metrics", null, Map.of());
        assertThat(scrape.statusCode()).isEqualTo(200);
        String metrics = scrape.body();
        assertThat(metrics)
                .containsPattern("camel_exchanges_total\\{[^}]*routeId=\"order-intake\"")
                .containsPattern("pipeline_jobs_received_total [1-9]")
                .containsPattern("pipeline_jobs_completed_total [1-9]")
                .containsPattern("pipeline_bytes_written_total [1-9]")
                .containsPattern(
                        "pipeline_stage_duration_seconds_count\\{outcome=\"completed\",stage=\"write-usb\"} [1-9]")
                .containsPattern("pipeline_stage_duration_seconds_bucket\\{[^}]*stage=\"verify\"")
                .containsPattern("pipeline_jobs\\{status=\"COMPLETED\"} [1-9]")
                .contains("pipeline_jobs_active ")
                .containsPattern("pipeline_usb_free_bytes\\{mount=\"[^\"]*slot-a\"} [0-9]")
                .contains("pipeline_queue_oldest_age_seconds ")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void everyRouteIsVisibleInJolokiaByItsIdAndCanBeStoppedAndStarted() throws Exception {
        List<String> routeIds =
                pipeline.context().getRoutes().stream().map(Route::getRouteId).toList();
        JsonNode found =
                jolokia(
                        JSON.createObjectNode()
                                .put("type", "search")
                                .put("mbean", "org.apache.camel:type=routes,*"));
        List<String> names = new ArrayList<>();
        found.path("value").forEach(name -> names.add(name.asText()));
        for (String routeId : routeIds) {
            String mbean =
                    names.stream()
                            .filter(name -> name.contains("name=\"" + routeId + "\""))
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            new AssertionError(
                                                    "No MBean for route "
                                                            + routeId
                                                            + " in "
                                                            + names));
            assertThat(jolokia(exec(mbean, "stop()")).path("status").asInt())
                    .as("stop " + routeId)
                    .isEqualTo(200);
            assertThat(read(mbean, "State")).as(routeId).isEqualTo("Stopped");
            assertThat(jolokia(exec(mbean, "start()")).path("status").asInt())
                    .as("start " + routeId)
                    .isEqualTo(200);
            assertThat(read(mbean, "State")).as(routeId).isEqualTo("Started");
        }
        pipeline.sendText(
                "orders.confirmed", order("OBS-2").file("music/jazz/01-so-what.mp3").json());
        pipeline.awaitJob("OBS-2", JobStatus.COMPLETED);
    }

    @Test
    void jolokiaPolicyRefusesOtherOperationsAndStrangeOrigins() throws Exception {
        assertThat(jolokia(exec("java.lang:type=Memory", "gc()")).path("status").asInt())
                .isEqualTo(403);
        assertThat(
                        jolokia(
                                        JSON.createObjectNode()
                                                .put("type", "read")
                                                .put("mbean", "java.util.logging:type=Logging")
                                                .put("attribute", "LoggerNames"))
                                .path("status")
                                .asInt())
                .isEqualTo(403);
        assertThat(
                        jolokia(exec("com.sun.management:type=DiagnosticCommand", "vmVersion()"))
                                .path("status")
                                .asInt())
                .isEqualTo(403);
        String version = JSON.createObjectNode().put("type", "version").toString();
        for (Map<String, String> headers :
                List.of(
                        Map.<String, String>of(),
                        Map.of("Origin", "http://evil.example"),
                        Map.of("Origin", "http://127.0.0.1:8090.evil.example"))) {
            var refused = pipeline.management("POST", "/observe/jolokia", version, headers);
            assertThat(refused.body()).as(headers.toString()).doesNotContain("\"agent\"");
        }
    }

    @Test
    void jolokiaServesHawtiosCamelViewsButNeitherSecretsNorWrites() throws Exception {
        String context = names("org.apache.camel:type=context,*").get(0);
        String route =
                names("org.apache.camel:type=routes,*").stream()
                        .filter(n -> n.contains("\"job-dispatch\""))
                        .findFirst()
                        .orElseThrow();
        assertThat(jolokia(exec(context, "dumpRoutesAsXml()")).path("value").asText())
                .contains("job-dispatch");
        assertThat(
                        jolokia(
                                        JSON.createObjectNode()
                                                .put("type", "exec")
                                                .put("mbean", route)
                                                .put("operation", "dumpRouteStatsAsXml")
                                                .set(
                                                        "arguments",
                                                        JSON.createArrayNode().add(true).add(true)))
                                .path("status")
                                .asInt())
                .isEqualTo(200);
        assertThat(read("java.lang:type=Runtime", "Uptime")).isNotEmpty();

        for (String secret : new String[] {"InputArguments", "SystemProperties"}) {
            assertThat(
                            jolokia(
                                            JSON.createObjectNode()
                                                    .put("type", "read")
                                                    .put("mbean", "java.lang:type=Runtime")
                                                    .put("attribute", secret))
                                    .path("status")
                                    .asInt())
                    .as(secret)
                    .isEqualTo(403);
        }
        assertThat(
                        jolokia(
                                        JSON.createObjectNode()
                                                .put("type", "read")
                                                .put("mbean", "jolokia:type=Config"))
                                .path("status")
                                .asInt())
                .as("an MBean no view needs")
                .isIn(403, 404);
        assertThat(
                        jolokia(
                                        JSON.createObjectNode()
                                                .put("type", "write")
                                                .put("mbean", context)
                                                .put("attribute", "Tracing")
                                                .put("value", true))
                                .path("status")
                                .asInt())
                .as("writes")
                .isEqualTo(403);
        for (String runsCode :
                new String[] {
                    "dumpRoutesAsXml(boolean,boolean)",
                    "stop()",
                    "sendStringBody(java.lang.String,java.lang.String)",
                    "createEndpoint(java.lang.String)"
                }) {
            assertThat(jolokia(exec(context, runsCode)).path("status").asInt())
                    .as(runsCode)
                    .isEqualTo(403);
        }
        assertThat(
                        jolokia(exec(route, "updateRouteFromXml(java.lang.String)"))
                                .path("status")
                                .asInt())
                .isEqualTo(403);
        assertThat(jolokia(exec(route, "remove()")).path("status").asInt()).isEqualTo(403);
    }

    private List<String> names(String pattern) throws Exception {
        List<String> names = new ArrayList<>();
        jolokia(JSON.createObjectNode().put("type", "search").put("mbean", pattern))
                .path("value")
                .forEach(name -> names.add(name.asText()));
        return names;
    }

    private String read(String mbean, String attribute) throws Exception {
        return jolokia(
                        JSON.createObjectNode()
                                .put("type", "read")
                                .put("mbean", mbean)
                                .put("attribute", attribute))
                .path("value")
                .asText();
    }

    private static JsonNode exec(String mbean, String operation) {
        return JSON.createObjectNode()
                .put("type", "exec")
                .put("mbean", mbean)
                .put("operation", operation)
                .set("arguments", JSON.createArrayNode());
    }

    private JsonNode jolokia(JsonNode request) throws Exception {
        var response = pipeline.management("POST", "/observe/jolokia", request.toString(), HAWTIO);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        return body instanceof ArrayNode array ? array.get(0) : body;
    }
}
