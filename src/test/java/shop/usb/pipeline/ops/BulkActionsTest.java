package shop.usb.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.support.OnEachDatabase;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;

/**
 * Bulk retry and cancel over HTTP on both databases: a count first, then batches, each job once.
 */
@OnEachDatabase
class BulkActionsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Parameter TestDatabase.Engine engine;

    /** Each test its own folder, so its H2 database is a new one. */
    @TempDir Path folder;

    @Test
    void retryCountsFirstThenQueuesEveryMatchingFailedJobAgain(@TempDir Path root)
            throws Exception {
        TestDatabase database = engine.create(folder);
        // Batches of 2, so 3 failed jobs take two batches and a third that finds none.
        try (PipelineRuntime pipeline =
                PipelineRuntime.start(root, database, Map.of("pipeline.bulk.batch-size", "2"))) {
            for (int i = 1; i <= 3; i++) {
                pipeline.sendText(
                        "orders.confirmed", order("BULK-FAIL-" + i).file("later/track.mp3").json());
                pipeline.awaitJob("BULK-FAIL-" + i, JobStatus.FAILED);
            }
            pipeline.sendText(
                    "orders.confirmed",
                    order("BULK-DONE").file("music/jazz/01-so-what.mp3").json());
            pipeline.awaitJob("BULK-DONE", JobStatus.COMPLETED);

            JsonNode count = post("/api/jobs/retry?q=BULK-&dryRun=true", pipeline);
            assertThat(answer(count)).containsExactly(4L, 3L, 1L);
            assertThat(count.get("dryRun").asBoolean()).isTrue();
            assertThat(pipeline.jobsOf("BULK-FAIL-1").get(0).status())
                    .as("a dry run changes nothing")
                    .isEqualTo(JobStatus.FAILED);

            PipelineRuntime.writeRandom(pipeline.library().resolve("later/track.mp3"), 10_000);
            JsonNode done = operation(pipeline, "/api/jobs/retry?q=BULK-");
            assertThat(answer(done)).containsExactly(4L, 3L, 1L);
            assertThat(done.get("processed").asLong()).isEqualTo(3L);
            assertThat(done.get("progress").asDouble()).isEqualTo(1.0);
            assertThat(done.get("status").asText()).isEqualTo("DONE");
            for (int i = 1; i <= 3; i++) {
                pipeline.awaitJob("BULK-FAIL-" + i, JobStatus.COMPLETED);
            }
            assertThat(
                            pipeline.http(
                                            "GET",
                                            "/api/jobs/"
                                                    + pipeline.jobsOf("BULK-FAIL-2").get(0).id()
                                                    + "/logs",
                                            null)
                                    .body())
                    .contains("Queued again by loopback");
            JsonNode trail =
                    JSON.readTree(pipeline.http("GET", "/api/audit", null).body()).get("actions");
            assertThat(trail).hasSize(2);
            assertThat(trail.get(0).get("action").asText()).isEqualTo("jobs.retry");
            assertThat(trail.get(0).get("target").asText()).isEqualTo("q=BULK-");
            assertThat(trail.get(0).get("result").asText()).isEqualTo("CHANGED 3 OF 4");
            assertThat(trail.get(1).get("result").asText())
                    .isEqualTo("STARTED " + done.get("id").asText());

            assertThat(answer(operation(pipeline, "/api/jobs/retry?q=BULK-")))
                    .as("nothing left to retry")
                    .containsExactly(4L, 0L, 4L);
        }
    }

    @Test
    void cancelTakesEveryWaitingJobTheFiltersMatch(@TempDir Path root) throws Exception {
        TestDatabase database = engine.create(folder);
        try (PipelineRuntime pipeline =
                PipelineRuntime.start(root, database, Map.of("pipeline.bulk.batch-size", "2"))) {
            pipeline.context()
                    .getRouteController()
                    .stopRoute("job-dispatch"); // the jobs wait QUEUED
            for (int i = 1; i <= 3; i++) {
                pipeline.sendText(
                        "orders.confirmed",
                        order("HALT-" + i)
                                .set("priority", i == 3 ? "high" : "low")
                                .file("music/jazz/01-so-what.mp3")
                                .json());
                pipeline.awaitJob("HALT-" + i, JobStatus.QUEUED);
            }

            assertThat(answer(operation(pipeline, "/api/jobs/cancel?status=QUEUED&priority=low")))
                    .containsExactly(2L, 2L, 0L);
            assertThat(pipeline.jobsOf("HALT-1").get(0).status()).isEqualTo(JobStatus.CANCELLED);
            assertThat(pipeline.jobsOf("HALT-2").get(0).status()).isEqualTo(JobStatus.CANCELLED);
            assertThat(pipeline.jobsOf("HALT-3").get(0).status())
                    .as("not matched")
                    .isEqualTo(JobStatus.QUEUED);

            var bad = pipeline.http("POST", "/api/jobs/cancel?dryRun=maybe", null);
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("dryRun");
            assertThat(pipeline.http("POST", "/api/jobs/cancel?status=LOST", null).body())
                    .contains("status");
        }
    }

    @Test
    void anOperationWhoseRunStoppedIsTakenUpWhereItsLastBatchCommitted(@TempDir Path root)
            throws Exception {
        TestDatabase database = engine.create(folder);
        try (PipelineRuntime pipeline =
                PipelineRuntime.start(root, database, Map.of("pipeline.bulk.resume-after", "1s"))) {
            for (int i = 1; i <= 4; i++) {
                pipeline.sendText(
                        "orders.confirmed", order("RESUME-" + i).file("later/track.mp3").json());
                pipeline.awaitJob("RESUME-" + i, JobStatus.FAILED);
            }
            JdbcTemplate sql = new JdbcTemplate(pipeline.dataSource());
            // Newest first, as the batches go: a run that died after its first batch of two had
            // recorded its cursor at the second newest (whose jobs it queued again, and which
            // stay FAILED here, so that a second pass over them would show).
            List<Map<String, Object>> newestFirst =
                    sql.queryForList(
                            "SELECT id, created_at FROM processing_jobs WHERE order_id LIKE"
                                    + " 'RESUME-%' ORDER BY created_at DESC, id DESC");
            Map<String, Object> cursor = newestFirst.get(1);
            String operationId = UUID.randomUUID().toString();
            sql.update(
                    "INSERT INTO bulk_operations (id, kind, filters, target, actor, status,"
                            + " matched, eligible, processed, changed, cursor_created_at,"
                            + " cursor_id, run_token, created_at, heartbeat_at) VALUES (?,"
                            + " 'RETRY', '{\"q\":\"RESUME-\"}', 'q=RESUME-', 'loopback',"
                            + " 'RUNNING', 4, 4, 2, 2, ?, ?, ?, ?, ?)",
                    operationId,
                    cursor.get("created_at"),
                    cursor.get("id"),
                    UUID.randomUUID().toString(),
                    // Created after the jobs (it acts on jobs up to then); its last batch an hour
                    // ago.
                    OffsetDateTime.now(ZoneOffset.UTC),
                    OffsetDateTime.now(ZoneOffset.UTC).minusHours(1));
            PipelineRuntime.writeRandom(pipeline.library().resolve("later/track.mp3"), 10_000);

            JsonNode done =
                    Awaitility.await("the stopped operation taken up and done")
                            .atMost(Duration.ofSeconds(60))
                            .until(
                                    () ->
                                            JSON.readTree(
                                                    pipeline.http(
                                                                    "GET",
                                                                    "/api/operations/"
                                                                            + operationId,
                                                                    null)
                                                            .body()),
                                    now -> now.get("done").asBoolean());

            assertThat(done.get("resumed").asInt()).isEqualTo(1);
            assertThat(answer(done)).containsExactly(4L, 4L, 0L);
            assertThat(done.get("processed").asLong()).isEqualTo(4L);
            for (int i = 2; i < 4; i++) {
                String orderId =
                        sql.queryForObject(
                                "SELECT order_id FROM processing_jobs WHERE id = ?",
                                String.class,
                                newestFirst.get(i).get("id"));
                pipeline.awaitJob(orderId, JobStatus.COMPLETED);
            }
            for (int i = 0; i < 2; i++) {
                assertThat(
                                sql.queryForObject(
                                        "SELECT status FROM processing_jobs WHERE id = ?",
                                        String.class,
                                        newestFirst.get(i).get("id")))
                        .as("before the cursor: the stopped run's, not done again")
                        .isEqualTo("FAILED");
            }
            assertThat(
                            pipeline.http("GET", "/api/operations/" + UUID.randomUUID(), null)
                                    .statusCode())
                    .isEqualTo(404);
            assertThat(pipeline.http("GET", "/api/operations/not-an-id", null).statusCode())
                    .isEqualTo(404);
        }
    }

    /**
     * Starts an operation (202, at once) and follows GET /api/operations/{id} until it is done; its
     * progress never goes back.
     */
    private static JsonNode operation(PipelineRuntime pipeline, String path) throws Exception {
        var started = pipeline.http("POST", path, null);
        assertThat(started.statusCode()).as(path + ": " + started.body()).isEqualTo(202);
        String id = JSON.readTree(started.body()).get("id").asText();
        assertThat(started.headers().firstValue("Location")).hasValue("/api/operations/" + id);
        double[] seen = {0};
        return Awaitility.await("operation " + id + " done")
                .atMost(Duration.ofSeconds(60))
                .until(
                        () -> {
                            JsonNode now =
                                    JSON.readTree(
                                            pipeline.http("GET", "/api/operations/" + id, null)
                                                    .body());
                            assertThat(now.get("progress").asDouble())
                                    .isGreaterThanOrEqualTo(seen[0]);
                            seen[0] = now.get("progress").asDouble();
                            return now;
                        },
                        now -> now.get("done").asBoolean());
    }

    private static JsonNode post(String path, PipelineRuntime pipeline) throws Exception {
        var response = pipeline.http("POST", path, null);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** matched, changed, skipped */
    private static List<Long> answer(JsonNode result) {
        return List.of(
                result.get("matched").asLong(),
                result.get("changed").asLong(),
                result.get("skipped").asLong());
    }
}
