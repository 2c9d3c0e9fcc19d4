package shop.usb.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.RandomAccessFile;
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
import shop.usb.pipeline.transfer.StickReverifier;

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

    /**
     * A returned stick is hostile media: a link, a flood of files or a huge sparse file in place of
     * a missing one costs no more than the order did, and one stick is read by one request at once.
     */
    @Test
    void aHostileReturnedStickIsReadNoFurtherThanItsOrder(@TempDir Path root) throws Exception {
        Map<String, String> station =
                Map.of("pipeline.usb.slot-kind", "stick", "pipeline.usb.scan-interval", "100ms");
        try (PipelineRuntime pipeline =
                PipelineRuntime.start(root, TestDatabase.h2(root.resolve("db")), station)) {
            pipeline.sendText("orders.confirmed", order("REV-2").collection("music/salsa").json());
            JobView done = pipeline.awaitJob("REV-2", JobStatus.COMPLETED);
            Path folder = pipeline.root().resolve("usb").resolve(done.slot()).resolve("REV-2");

            Path link = Files.createSymbolicLink(folder.resolve("leads-off"), Path.of("/"));
            assertThat(reverify(pipeline, done)).contains("unexpected leads-off");
            Files.delete(link);

            Path flood = Files.createDirectories(folder.resolve("flood"));
            for (int i = 0; i < 2_000; i++) {
                Files.createFile(flood.resolve("f" + i));
            }
            assertThat(reverify(pipeline, done)).contains("the folder holds more than");
            try (var files = Files.list(flood)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(flood);

            Path song = folder.resolve("music/salsa/01-la-rebelion.mp3");
            Files.delete(folder.resolve("music/salsa/02-pedro-navaja.mp3"));
            try (RandomAccessFile huge = new RandomAccessFile(song.toFile(), "rw")) {
                huge.setLength(1L << 40); // a terabyte, sparse: hours to hash
            }
            assertThat(reverify(pipeline, done))
                    .containsPattern(
                            "the files hold at least 1099511\\d{6} bytes; the order planned");

            StickReverifier reverifier =
                    pipeline.context()
                            .getRegistry()
                            .lookupByNameAndType(StickReverifier.BEAN_NAME, StickReverifier.class);
            assertThat(reverifier.reserve(done.slot())).as("a read-back runs there").isTrue();
            var second = pipeline.http("POST", "/api/jobs/" + done.id() + "/reverify", null);
            assertThat(second.statusCode()).isEqualTo(409);
            assertThat(second.body()).contains("REVERIFY_RUNNING");
            reverifier.release(done.slot());
        }
    }

    /** Asks for a read-back and waits for its result. */
    private static String reverify(PipelineRuntime pipeline, JobView done) throws Exception {
        String before = pipeline.awaitJob(done.orderId(), job -> true, "the job").reverifiedAt();
        assertThat(pipeline.http("POST", "/api/jobs/" + done.id() + "/reverify", null).statusCode())
                .isEqualTo(202);
        return pipeline.awaitJob(
                        done.orderId(),
                        job -> job.reverifiedAt() != null && !job.reverifiedAt().equals(before),
                        "read back")
                .reverifyResult();
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
