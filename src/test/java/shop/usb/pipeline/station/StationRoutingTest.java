package shop.usb.pipeline.station;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.ORDERS;
import static shop.usb.pipeline.support.Orders.newOrderId;
import static shop.usb.pipeline.support.Orders.order;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.JobView;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;

/**
 * A stick kept for a job is a promise across instances: two stations share the database and the
 * broker, and a job kept for a stick on station A runs on A. Station B, with workers free and the
 * job message on the queue, never takes it (its job-dispatch consumer selects only messages for no
 * station or its own).
 */
class StationRoutingTest {

    @TempDir Path root;
    PipelineRuntime stationA;
    PipelineRuntime stationB;

    @AfterEach
    void stop() {
        if (stationB != null) {
            stationB.close();
        }
        if (stationA != null) {
            stationA.close();
        }
    }

    @Test
    void aJobKeptForAStickOnOneStationIsNeverTakenByAnother() throws Exception {
        TestDatabase database = TestDatabase.Engine.POSTGRES.create(root);
        Path stickOnA = root.resolve("a/usb/slot-1");
        stationA =
                PipelineRuntime.start(root.resolve("a"), database, station("station-a", stickOnA));
        Map<String, String> b =
                new java.util.HashMap<>(station("station-b", root.resolve("b/usb/slot-1")));
        b.put("pipeline.broker.embedded", "false");
        b.put("pipeline.broker.port", String.valueOf(stationA.brokerPort()));
        stationB = PipelineRuntime.start(root.resolve("b"), database, b);

        String orderId = newOrderId();
        stationA.sendText(
                ORDERS,
                order(orderId).capacity(100_000_000L).file("music/jazz/01-so-what.mp3").json());
        JobView waiting = stationA.awaitJob(orderId, JobStatus.WAITING);

        // A's workers stop; then a stick comes in on A, which keeps it for the job and sends the
        // job
        // message. B's workers are free: the message is not theirs.
        stationA.context().getRouteController().stopRoute("job-dispatch");
        Files.createDirectories(stickOnA);
        Awaitility.await("the job kept for A's stick, its message waiting for A")
                .during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(15))
                .until(
                        () -> stationA.reads().findByOrderId(orderId).orElseThrow().status(),
                        status -> status == JobStatus.QUEUED);

        stationA.context().getRouteController().startRoute("job-dispatch");
        JobView done = stationA.awaitJob(orderId, JobStatus.COMPLETED);
        assertThat(done.id()).isEqualTo(waiting.id());
        assertThat(done.slot()).isEqualTo("slot-1");
        assertThat(done.usbMount()).isEqualTo(stickOnA.toString());
        assertThat(done.attempts()).isEqualTo(1);
    }

    /** A station of one stick slot (a folder standing in for a stick), absent until created. */
    private static Map<String, String> station(String id, Path slot) {
        return Map.of(
                "pipeline.instance.id", id,
                "pipeline.usb.mounts", slot.toString(),
                "pipeline.usb.slot-kind", "stick",
                "pipeline.usb.require-mount", "false",
                "pipeline.usb.scan-interval", "100ms",
                "pipeline.metrics.waiting-refresh", "200ms");
    }
}
