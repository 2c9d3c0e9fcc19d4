package shop.usb.pipeline.benchmark;

import static shop.usb.pipeline.benchmark.Figures.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.ops.HttpGate;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;

/**
 * Bulk retry over HTTP on PostgreSQL: the dry run's count, the 202 that starts the operation, and
 * the operation itself to done (batches of 500, each job's guarded transition, log line and status
 * event, its job message on the embedded broker) for 100,000 FAILED jobs among 200,000. The workers
 * are stopped, so the figure is the bulk action's alone. Run: {@code mvn -B test -Pbenchmark};
 * prints a table and writes target/benchmark-bulk.md.
 */
@Tag("benchmark")
class BulkBenchmark {

    private static final int JOBS = Integer.getInteger("benchmark.bulk-jobs", 200_000);
    private static final int FAILED = Integer.getInteger("benchmark.bulk-failed", 100_000);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void run(@TempDir Path root) throws Exception {
        try (PipelineRuntime pipeline =
                PipelineRuntime.start(root, TestDatabase.postgres(), Map.of())) {
            pipeline.context().getRouteController().stopRoute("job-dispatch");
            new JdbcTemplate(pipeline.dataSource())
                    .update(
                            """
                    INSERT INTO processing_jobs (id, order_id, status, stage, progress, priority, attempts, order_json,
                        created_at, updated_at, completed_at, error_code, error_message)
                    SELECT md5(i::text)::uuid::text, 'BULK-' || lpad(i::text, 7, '0'),
                           CASE WHEN i % ? = 0 THEN 'FAILED' ELSE 'COMPLETED' END, 'verify', 100, 'normal', 1, '{}',
                           now() - i * INTERVAL '1 second', now(), now(),
                           CASE WHEN i % ? = 0 THEN 'USB_FULL' END, CASE WHEN i % ? = 0 THEN 'the stick is full' END
                      FROM generate_series(1, ?) AS i""",
                            JOBS / FAILED, JOBS / FAILED, JOBS / FAILED, JOBS);
            // As intake records them: each job's order has its receipt, which numbers its events.
            new JdbcTemplate(pipeline.dataSource())
                    .update(
                            "INSERT INTO order_receipts (order_id, job_id, received_at)"
                                    + " SELECT order_id, id, created_at FROM processing_jobs"
                                    + " WHERE order_id LIKE 'BULK-%'");
            new JdbcTemplate(pipeline.dataSource()).execute("ANALYZE processing_jobs");

            long start = System.nanoTime();
            JsonNode count =
                    post(pipeline, "/api/jobs/retry?status=FAILED&errorCode=USB_FULL&dryRun=true");
            double countMs = (System.nanoTime() - start) / 1e6;
            start = System.nanoTime();
            JsonNode started = post(pipeline, "/api/jobs/retry?status=FAILED&errorCode=USB_FULL");
            double answerMs = (System.nanoTime() - start) / 1e6;
            JsonNode done = awaitDone(pipeline, started.get("id").asText());
            double retrySeconds = (System.nanoTime() - start) / 1e9;

            Figures figures = new Figures();
            figures.add(
                    format(
                            "bulk retry dry run: count %,d FAILED with USB_FULL among %,d jobs",
                            FAILED, JOBS),
                    format("%.0f ms (matched %d)", countMs, count.get("matched").asLong()),
                    "",
                    "",
                    "",
                    "");
            figures.add(
                    "bulk retry: the 202 with the operation (counted first)",
                    format("%.0f ms", answerMs),
                    "",
                    "",
                    "at once (≤ 1 s)",
                    answerMs <= 1_000 ? "yes" : "**no**");
            figures.add(
                    format(
                            "bulk retry of %,d jobs in the background, batches of 500, job"
                                    + " messages included",
                            FAILED),
                    format(
                            "%.1f s, %.0f jobs/s (changed %d)",
                            retrySeconds,
                            done.get("changed").asLong() / retrySeconds,
                            done.get("changed").asLong()),
                    "",
                    "",
                    format("%,d in ≤ 60 s", FAILED),
                    retrySeconds <= 60 ? "yes" : "**no**");
            String report =
                    "Bulk actions over HTTP on PostgreSQL 17 (embedded binaries), the embedded broker\n\n"
                            + figures.table();
            System.out.println("\n" + report);
            Files.writeString(Path.of("target", "benchmark-bulk.md"), report);
        }
    }

    /** As the dashboard sends it: 200 for a dry run, 202 with the operation otherwise. */
    private static JsonNode post(PipelineRuntime pipeline, String path) throws Exception {
        var response =
                pipeline.http(
                        "POST",
                        path,
                        null,
                        Map.of(HttpGate.INTENT_HEADER, "benchmark"),
                        Duration.ofMinutes(1));
        if (response.statusCode() != 200 && response.statusCode() != 202) {
            throw new IllegalStateException(
                    path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** Follows the operation as the dashboard does, until it is done. */
    private static JsonNode awaitDone(PipelineRuntime pipeline, String id) {
        return Awaitility.await("bulk operation " + id)
                .atMost(Duration.ofMinutes(20))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () ->
                                JSON.readTree(
                                        pipeline.http("GET", "/api/operations/" + id, null).body()),
                        operation -> operation.get("done").asBoolean());
    }
}
