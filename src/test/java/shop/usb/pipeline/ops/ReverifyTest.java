package shop.usb.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.JobView;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;

/**
 * POST /api/jobs/{id}/reverify: a delivered stick still (or again) in a slot is read back against
 * its job; a file changed on it since is found, and the answer lands on the job, in its log and the
 * trail.
 */
class ReverifyTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aReturnedStickIsReadBackAgainstItsJob(@TempDir Path root) throws Exception {
        Map<String, String> station =
                Map.of("pipeline.usb.slot-kind", "stick", "pipeline.usb.scan-interval", "100ms");
        try (PipelineRuntime pipeline =
                PipelineRuntime.start(root, TestDatabase.h2(root.resolve("db")), station)) {
            pipeline.sendText("orders.confirmed", order("REV-1").collection("music/salsa").json());
            JobView done = pipeline.awaitJob("REV-1", JobStatus.COMPLETED);
            assertThat(done.stick()).as("a stick on record").isNotNull();

            assertThat(
                            pipeline.http("POST", "/api/jobs/" + done.id() + "/reverify", null)
                                    .statusCode())
                    .isEqualTo(202);
            JobView first =
                    pipeline.awaitJob(
                            "REV-1", job -> job.reverifyResult() != null, "read back again");
            assertThat(first.reverifyResult()).contains("as written").contains(done.slot());
            assertThat(first.reverifiedAt()).isNotNull();

            // The customer says the stick is broken: one byte of a song differs now.
            Path song =
                    pipeline.root()
                            .resolve("usb")
                            .resolve(done.slot())
                            .resolve("REV-1/music/salsa/01-la-rebelion.mp3");
            byte[] bytes = Files.readAllBytes(song);
            bytes[100] ^= 0x01;
            Files.write(song, bytes, StandardOpenOption.TRUNCATE_EXISTING);
            assertThat(
                            pipeline.http("POST", "/api/jobs/" + done.id() + "/reverify", null)
                                    .statusCode())
                    .isEqualTo(202);
            JobView second =
                    pipeline.awaitJob(
                            "REV-1",
                            job ->
                                    job.reverifyResult() != null
                                            && !job.reverifyResult().equals(first.reverifyResult()),
                            "read back a second time");
            assertThat(second.reverifyResult()).contains("01-la-rebelion.mp3 differs");
            assertThat(second.status())
                    .as("the delivery stays what it was")
                    .isEqualTo(JobStatus.COMPLETED);
            assertThat(pipeline.http("GET", "/api/jobs/" + done.id() + "/logs", null).body())
                    .contains("VERIFICATION_FAILED");

            JsonNode trail =
                    JSON.readTree(
                            pipeline.http("GET", "/api/audit?target=" + done.id(), null).body());
            assertThat(trail.get("actions").get(0).get("action").asText())
                    .isEqualTo("job.reverify");
            assertThat(trail.get("actions").get(0).get("result").asText())
                    .isEqualTo("STARTED IN " + done.slot());
        }
    }

    @Test
    void onlyADeliveredJobWhoseStickIsPluggedInIsReadBack(@TempDir Path root) throws Exception {
        try (PipelineRuntime pipeline =
                PipelineRuntime.start(root, TestDatabase.h2(root.resolve("db")), Map.of())) {
            pipeline.sendText(
                    "orders.confirmed", order("REV-FAILED").file("movies/none.mp4").json());
            String failed = pipeline.awaitJob("REV-FAILED", JobStatus.FAILED).id();

            var refused = pipeline.http("POST", "/api/jobs/" + failed + "/reverify", null);
            assertThat(refused.statusCode()).isEqualTo(409);
            assertThat(refused.body()).contains("NOT_DELIVERED");
            assertThat(pipeline.http("POST", "/api/jobs/no-such-job/reverify", null).statusCode())
                    .isEqualTo(404);
        }
    }
}
