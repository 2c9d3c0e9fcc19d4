package shop.usb.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.support.PipelineRuntime;

/** Operator actions over HTTP land in the audit trail and the job's log, naming who took them. */
class AuditApiTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void actionsAreRecordedUnderTheTokensName(@TempDir Path root) throws Exception {
        try (PipelineRuntime pipeline =
                PipelineRuntime.startOnH2(
                        root, Map.of("pipeline.api.tokens", "anna:anna-secret-1,ci:ci-secret-2"))) {
            pipeline.context()
                    .getRouteController()
                    .stopRoute("job-dispatch"); // the job waits QUEUED
            pipeline.sendText(
                    "orders.confirmed", order("AUDIT-1").file("music/jazz/01-so-what.mp3").json());
            String waiting = pipeline.awaitJob("AUDIT-1", JobStatus.QUEUED).id();
            // A header or a query parameter a client sets is not who it is: the token's name is
            // (one named like Camel's own header is refused: HostileInputTest).
            var cancelled =
                    pipeline.http(
                            "POST",
                            "/api/jobs/" + waiting + "/cancel?X-Pipeline-Actor=mallory",
                            null,
                            Map.of(
                                    "Authorization",
                                    "Bearer anna-secret-1",
                                    "X-Pipeline-Actor",
                                    "someone-else"));
            assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
            var again = postAs(pipeline, "ci-secret-2", "/api/jobs/" + waiting + "/cancel");
            assertThat(again.statusCode()).isEqualTo(409);
            var retried = postAs(pipeline, "ci-secret-2", "/api/jobs/" + waiting + "/retry");
            assertThat(retried.statusCode()).as(retried.body()).isEqualTo(202);
            var released = postAs(pipeline, "anna-secret-1", "/api/slots/no-such-slot/release");
            assertThat(released.statusCode()).isEqualTo(404);

            JsonNode trail =
                    JSON.readTree(pipeline.http("GET", "/api/audit?limit=10", null).body())
                            .get("actions");
            assertThat(trail).hasSize(4);
            assertThat(entry(trail.get(0)))
                    .containsExactly("anna", "slot.release", "no-such-slot", "NOT_FOUND");
            assertThat(entry(trail.get(1))).containsExactly("ci", "job.retry", waiting, "QUEUED");
            assertThat(entry(trail.get(2)))
                    .containsExactly("ci", "job.cancel", waiting, "CONFLICT");
            assertThat(entry(trail.get(3)))
                    .containsExactly("anna", "job.cancel", waiting, "CANCELLED");
            JsonNode annas =
                    JSON.readTree(
                            pipeline.http("GET", "/api/audit?actor=anna&target=" + waiting, null)
                                    .body());
            assertThat(annas.get("actions")).hasSize(1);

            String log = pipeline.http("GET", "/api/jobs/" + waiting + "/logs", null).body();
            assertThat(log).contains("Cancelled by anna").contains("Queued again by ci");
            assertThat(pipeline.http("GET", "/api/audit?cursor=x", null).body()).contains("cursor");
        }
    }

    @Test
    void withoutTokensTheActorIsLoopback(@TempDir Path root) throws Exception {
        try (PipelineRuntime pipeline = PipelineRuntime.startOnH2(root, Map.of())) {
            pipeline.sendText("orders.confirmed", order("AUDIT-2").file("movies/none.mp4").json());
            String failed = pipeline.awaitJob("AUDIT-2", JobStatus.FAILED).id();

            assertThat(pipeline.http("POST", "/api/jobs/" + failed + "/retry", null).statusCode())
                    .isEqualTo(202);

            JsonNode trail =
                    JSON.readTree(pipeline.http("GET", "/api/audit", null).body()).get("actions");
            assertThat(trail).hasSize(1);
            assertThat(entry(trail.get(0)))
                    .containsExactly("loopback", "job.retry", failed, "QUEUED");
            assertThat(pipeline.http("GET", "/api/jobs/" + failed + "/logs", null).body())
                    .contains("Queued again by loopback");
        }
    }

    private static List<String> entry(JsonNode action) {
        return List.of(
                action.get("actor").asText(),
                action.get("action").asText(),
                action.get("target").asText(),
                action.get("result").asText());
    }

    /** A POST as the holder of {@code token} would send it. */
    private static HttpResponse<String> postAs(PipelineRuntime pipeline, String token, String path)
            throws Exception {
        return pipeline.http("POST", path, null, Map.of("Authorization", "Bearer " + token));
    }
}
