package shop.usb.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
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
            JsonNode done = post("/api/jobs/retry?q=BULK-", pipeline);
            assertThat(answer(done)).containsExactly(4L, 3L, 1L);
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
            assertThat(trail).hasSize(1);
            assertThat(trail.get(0).get("action").asText()).isEqualTo("jobs.retry");
            assertThat(trail.get(0).get("target").asText()).isEqualTo("q=BULK-");
            assertThat(trail.get(0).get("result").asText()).isEqualTo("CHANGED 3 OF 4");

            assertThat(answer(post("/api/jobs/retry?q=BULK-", pipeline)))
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

            assertThat(answer(post("/api/jobs/cancel?status=QUEUED&priority=low", pipeline)))
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
