package shop.usb.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Method;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Header;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.support.OnEachDatabase;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;

/**
 * The read side of the API: paging and filters, queue and statistics, the contract. The dashboard
 * files: {@link ApiServerSetupTest}.
 */
@OnEachDatabase
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobsApiTest {

    static final ObjectMapper JSON = new ObjectMapper();
    PipelineRuntime pipeline;
    String prefix;
    List<String> orderIds;

    @Parameter TestDatabase.Engine engine;

    @BeforeParameterizedClassInvocation(injectArguments = false)
    void startPipeline(@TempDir Path root) throws Exception {
        pipeline = PipelineRuntime.start(root, engine.create(root), Map.of());
        prefix = "API" + UUID.randomUUID().toString().substring(0, 6) + "-";
        orderIds = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String orderId = prefix + i;
            orderIds.add(orderId);
            pipeline.sendText(
                    "orders.confirmed",
                    order(orderId)
                            .set("priority", i % 2 == 0 ? "high" : "low")
                            .file("music/jazz/01-so-what.mp3")
                            .json());
            // One at a time, so creation times (the page order) are distinct and known.
            pipeline.awaitJob(orderId, JobStatus.COMPLETED);
        }
        pipeline.sendText("orders.confirmed", order(prefix + "bad").file("movies/none.mp4").json());
        pipeline.awaitJob(prefix + "bad", JobStatus.FAILED);
        // The stage timers and counters are recorded as the run ends, after its status shows.
        pipeline.awaitRunsEnded();
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void jobsArePagedNewestFirstWithACursor() throws Exception {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page =
                    get(
                            "/api/jobs?status=COMPLETED&limit=2"
                                    + (cursor == null ? "" : "&cursor=" + cursor));
            page.path("jobs").forEach(job -> seen.add(job.path("orderId").asText()));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 50);

        List<String> ours = seen.stream().filter(id -> id.startsWith(prefix)).toList();
        assertThat(ours)
                .containsExactly(
                        orderIds.get(4),
                        orderIds.get(3),
                        orderIds.get(2),
                        orderIds.get(1),
                        orderIds.get(0));
        assertThat(new HashSet<>(seen)).hasSameSizeAs(seen);
    }

    @Test
    void jobsFilterByPriorityStatusAndTime() throws Exception {
        List<String> high = orderIdsOf(get("/api/jobs?priority=high&limit=500"));
        assertThat(high)
                .contains(orderIds.get(0), orderIds.get(2), orderIds.get(4))
                .doesNotContain(orderIds.get(1));
        assertThat(orderIdsOf(get("/api/jobs?status=FAILED&limit=500")))
                .contains(prefix + "bad")
                .doesNotContain(orderIds.get(0));
        String future =
                URLEncoder.encode(
                        Instant.now().plusSeconds(3600).toString(), StandardCharsets.UTF_8);
        assertThat(orderIdsOf(get("/api/jobs?from=" + future))).isEmpty();
        assertThat(orderIdsOf(get("/api/jobs?to=" + future + "&orderId=" + orderIds.get(3))))
                .containsExactly(orderIds.get(3));
    }

    @Test
    void eachJobSaysWhichActionsItAllows() throws Exception {
        JsonNode failed = get("/api/jobs?orderId=" + prefix + "bad").path("jobs").get(0);
        assertThat(failed.path("actions").toString()).isEqualTo("[\"retry\"]");
        JsonNode delivered = get("/api/jobs?orderId=" + orderIds.get(0)).path("jobs").get(0);
        assertThat(delivered.path("actions").toString())
                .as("a delivered stick can be read back again")
                .isEqualTo("[\"reverify\"]");
    }

    @Test
    void jobsAreFoundByBusinessKey() throws Exception {
        String customerOrder = prefix + "customer";
        pipeline.sendText(
                "orders.confirmed",
                order(customerOrder)
                        .customer("Zoë Quint-" + prefix)
                        .file("music/jazz/01-so-what.mp3")
                        .json());
        pipeline.awaitJob(customerOrder, JobStatus.COMPLETED);
        JsonNode bad = get("/api/jobs?orderId=" + prefix + "bad").path("jobs").get(0);
        String code = bad.path("errorCode").asText();
        assertThat(bad.path("errorMessage").asText()).contains("none.mp4");

        assertThat(orderIdsOf(search(prefix)))
                .as("order id by prefix")
                .hasSize(7)
                .contains(prefix + "bad");
        assertThat(orderIdsOf(search("zoë quint-" + prefix.toLowerCase(Locale.ROOT))))
                .as("customer's name by prefix, any case")
                .containsExactly(customerOrder);
        assertThat(orderIdsOf(search(code.toLowerCase(Locale.ROOT))))
                .as("error code")
                .contains(prefix + "bad")
                .doesNotContain(orderIds.get(0));
        assertThat(orderIdsOf(search("NONE.MP4")))
                .as("words of the error message")
                .contains(prefix + "bad")
                .doesNotContain(orderIds.get(0));
        assertThat(orderIdsOf(get("/api/jobs?status=COMPLETED&limit=500&q=" + prefix)))
                .as("with the filters")
                .hasSize(6)
                .doesNotContain(prefix + "bad");
        assertThat(orderIdsOf(get("/api/jobs?errorCode=" + code + "&limit=500")))
                .contains(prefix + "bad")
                .doesNotContain(orderIds.get(0));
        assertThat(orderIdsOf(search(prefix.substring(0, 3) + "%")))
                .as("% is a character, not a wildcard")
                .isEmpty();
        assertThat(orderIdsOf(search(prefix.replace('-', '_'))))
                .as("_ is a character, not a wildcard")
                .isEmpty();
    }

    @Test
    void logLinesAreFetchedOnlyAfterTheLastOneSeen() throws Exception {
        String id =
                get("/api/jobs?orderId=" + orderIds.get(0)).path("jobs").get(0).path("id").asText();
        JsonNode all = get("/api/jobs/" + id + "/logs");
        assertThat(all.size()).isGreaterThan(2);
        long second = all.get(1).path("id").asLong();

        JsonNode newer = get("/api/jobs/" + id + "/logs?after=" + second);
        assertThat(newer.size()).isEqualTo(all.size() - 2);
        newer.forEach(line -> assertThat(line.path("id").asLong()).isGreaterThan(second));
        long last = all.get(all.size() - 1).path("id").asLong();
        assertThat(get("/api/jobs/" + id + "/logs?after=" + last).size()).isZero();
        assertThat(pipeline.http("GET", "/api/jobs/" + id + "/logs?after=-1", null).body())
                .contains("after");
    }

    @Test
    void chartsAgreeWithTheApiAndTheMetrics() throws Exception {
        JsonNode charts = get("/api/charts");

        JsonNode throughput = charts.path("throughput");
        assertThat(throughput).hasSize(60);
        long completedInCharts = 0;
        for (JsonNode minute : throughput) {
            completedInCharts += minute.path("jobs").asLong();
        }
        assertThat(completedInCharts)
                .as("completed per minute adds up to the queue's last hour")
                .isEqualTo(
                        get("/api/queue")
                                .path("throughput")
                                .path("lastHour")
                                .path("completed")
                                .asLong())
                .isGreaterThanOrEqualTo(5);

        JsonNode errors = get("/api/stats").path("errorsByCode");
        errors.fields()
                .forEachRemaining(
                        code ->
                                assertThat(charts.path("failures").path(code.getKey()).asLong())
                                        .as(code.getKey())
                                        .isEqualTo(code.getValue().path("failed").asLong()));
        assertThat(charts.path("failures").path("CONTENT_NOT_FOUND").asLong())
                .isGreaterThanOrEqualTo(1);

        // Each stage's count is the histogram's, as Prometheus scrapes it (every outcome together).
        String metrics = pipeline.management("GET", "/observe/metrics", null, Map.of()).body();
        for (JsonNode stage : charts.path("stages")) {
            long scraped = 0;
            Matcher count =
                    Pattern.compile(
                                    "pipeline_stage_duration_seconds_count\\{[^}]*stage=\""
                                            + stage.path("stage").asText()
                                            + "\"[^}]*} ([0-9.]+)")
                            .matcher(metrics);
            while (count.find()) {
                scraped += (long) Double.parseDouble(count.group(1));
            }
            assertThat(stage.path("count").asLong())
                    .as(stage.path("stage").asText())
                    .isEqualTo(scraped);
        }
        JsonNode validate = charts.path("stages").get(0);
        assertThat(validate.path("stage").asText()).isEqualTo("validate");
        assertThat(validate.path("p50Ms").asDouble())
                .isPositive()
                .isLessThanOrEqualTo(validate.path("p95Ms").asDouble());

        JsonNode slots = get("/api/slots");
        long slotsInCharts = 0;
        for (JsonNode state : charts.path("slots")) {
            slotsInCharts += state.asLong();
        }
        assertThat(slotsInCharts).isEqualTo(slots.size());
    }

    @Test
    void aJobsTimelineShowsItsAttemptWithStagesAndError() throws Exception {
        String id =
                get("/api/jobs?orderId=" + prefix + "bad").path("jobs").get(0).path("id").asText();
        JsonNode rows = get("/api/jobs/" + id + "/timeline").path("rows");

        assertThat(rows.get(0).path("event").path("message").asText())
                .isEqualTo("Order " + prefix + "bad received");
        JsonNode attempt = rows.get(1).path("attempt");
        assertThat(attempt.path("number").asInt()).isEqualTo(1);
        assertThat(attempt.path("errorCode").asText()).isEqualTo("CONTENT_NOT_FOUND");
        assertThat(attempt.path("stages").get(0).path("stage").asText()).isEqualTo("validate");
        assertThat(attempt.path("durationMs").asLong()).isNotNegative();
        JsonNode done =
                get("/api/jobs/"
                                + get("/api/jobs?orderId=" + orderIds.get(0))
                                        .path("jobs")
                                        .get(0)
                                        .path("id")
                                        .asText()
                                + "/timeline")
                        .path("rows")
                        .get(1)
                        .path("attempt");
        assertThat(done.path("stages"))
                .extracting(stage -> stage.path("stage").asText())
                .containsExactly("validate", "select-content", "write-usb", "verify");
        assertThat(done.path("where").asText()).contains("slot-");
        assertThat(pipeline.http("GET", "/api/jobs/no-such-job/timeline", null).statusCode())
                .isEqualTo(404);
    }

    private JsonNode search(String text) throws Exception {
        return get("/api/jobs?limit=500&q=" + URLEncoder.encode(text, StandardCharsets.UTF_8));
    }

    @Test
    void badFiltersGet400NamingTheField() throws Exception {
        for (String[] query :
                List.of(
                        new String[] {"priority=urgent", "priority"},
                        new String[] {"from=yesterday", "from"},
                        new String[] {"cursor=not-a-cursor", "cursor"},
                        new String[] {"limit=0", "limit"})) {
            var response = pipeline.http("GET", "/api/jobs?" + query[0], null);
            assertThat(response.statusCode()).as(query[0]).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).path("fields").get(0).path("field").asText())
                    .isEqualTo(query[1]);
            assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void queueAndStatsCountWhatHappened() throws Exception {
        JsonNode queue = get("/api/queue");
        assertThat(queue.path("completed").asLong()).isGreaterThanOrEqualTo(5);
        assertThat(queue.path("total").asLong())
                .isEqualTo(
                        queue.path("queued").asLong()
                                + queue.path("processing").asLong()
                                + queue.path("retrying").asLong()
                                + queue.path("completed").asLong()
                                + queue.path("failed").asLong()
                                + queue.path("cancelled").asLong());
        assertThat(queue.path("throughput").path("lastHour").path("completed").asLong())
                .isGreaterThanOrEqualTo(5);
        assertThat(queue.path("throughput").path("last24h").path("perMinute").isNumber()).isTrue();
        assertThat(queue.path("statusEvents").path("backlog").isIntegralNumber()).isTrue();

        JsonNode stats = get("/api/stats");
        assertThat(stats.path("byStatus").path("COMPLETED").asLong()).isGreaterThanOrEqualTo(5);
        assertThat(stats.path("byPriority").path("high").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(stats.path("successRate").asDouble()).isBetween(0.5, 1.0);
        assertThat(stats.path("avgProcessingMs").isNumber()).isTrue();
        assertThat(stats.path("avgQueueMs").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(stats.path("errorsByCode").path("CONTENT_NOT_FOUND").path("failed").asLong())
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void openApiDocumentDescribesExactlyTheRoutesAndTheirFilters() throws Exception {
        JsonNode document = get("/api/openapi.json");
        Set<String> documented = new TreeSet<>();
        document.path("paths")
                .fields()
                .forEachRemaining(
                        path ->
                                path.getValue()
                                        .fieldNames()
                                        .forEachRemaining(
                                                method ->
                                                        documented.add(
                                                                method.toUpperCase()
                                                                        + " "
                                                                        + path.getKey())));
        Set<String> routed = new TreeSet<>();
        for (RestDefinition rest :
                pipeline.context()
                        .getCamelContextExtension()
                        .getContextPlugin(Model.class)
                        .getRestDefinitions()) {
            for (VerbDefinition verb : rest.getVerbs()) {
                routed.add(verb.asVerb().toUpperCase() + " " + rest.getPath() + verb.getPath());
            }
        }
        routed.add(
                "GET " + LiveEvents.PATH); // a stream the API server holds itself, not a REST route
        assertThat(documented).isEqualTo(routed);

        Set<String> listed = new TreeSet<>(ApiQueries.JOB_FILTERS);
        listed.addAll(ApiQueries.PAGING);
        assertThat(queryParameters(document, "/api/jobs", "get")).isEqualTo(listed);
        Set<String> bulk = new TreeSet<>(ApiQueries.JOB_FILTERS);
        bulk.add("dryRun");
        assertThat(queryParameters(document, "/api/jobs/retry", "post")).isEqualTo(bulk);
        assertThat(queryParameters(document, "/api/jobs/cancel", "post")).isEqualTo(bulk);
        assertThat(queryParameters(document, "/api/audit", "get"))
                .isEqualTo(headersOf(AuditTrail.class, "page"));
    }

    private static Set<String> queryParameters(JsonNode document, String path, String verb) {
        Set<String> parameters = new TreeSet<>();
        document.path("paths")
                .path(path)
                .path(verb)
                .path("parameters")
                .forEach(p -> parameters.add(p.path("name").asText()));
        return parameters;
    }

    /** The headers (query values) a bean method reads. */
    private static Set<String> headersOf(Class<?> type, String method) {
        Set<String> accepted = new TreeSet<>();
        Method read =
                Arrays.stream(type.getMethods())
                        .filter(m -> m.getName().equals(method))
                        .findFirst()
                        .orElseThrow();
        for (java.lang.reflect.Parameter parameter : read.getParameters()) {
            accepted.add(parameter.getAnnotation(Header.class).value());
        }
        return accepted;
    }

    private JsonNode get(String path) throws Exception {
        var response = pipeline.http("GET", path, null);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<String> orderIdsOf(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("jobs").forEach(job -> ids.add(job.path("orderId").asText()));
        return ids;
    }
}
