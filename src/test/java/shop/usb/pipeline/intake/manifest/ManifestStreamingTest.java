package shop.usb.pipeline.intake.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Manifests.HEADER;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.support.Manifests;
import shop.usb.pipeline.support.PipelineRuntime;

/**
 * A 100,000-line manifest is streamed through: every order becomes one QUEUED job, and its job
 * message reaches the jobs queue once. The job dispatch is stopped, so the jobs stay queued.
 */
class ManifestStreamingTest {

    static final int LINES = 100_000;

    @Test
    void hundredThousandLineManifestBecomesQueuedJobsCompletely(@TempDir Path root)
            throws Exception {
        try (PipelineRuntime pipeline =
                PipelineRuntime.startOnH2(
                        root,
                        Map.of(
                                "pipeline.manifest.stable-for", "1s",
                                "pipeline.manifest.poll-interval", "200"))) {
            pipeline.context().getRouteController().stopRoute("job-dispatch");
            Manifests manifests = new Manifests(root.resolve("data/inbox"));
            Path part = manifests.inbox().resolve(".big.csv.part");
            Files.createDirectories(manifests.inbox());
            try (BufferedWriter out = Files.newBufferedWriter(part)) {
                out.write(HEADER);
                for (int i = 1; i <= LINES; i++) {
                    out.write(
                            "BIG-"
                                    + i
                                    + ",2026-11-22T10:00:00Z,normal,16000000000,Label "
                                    + i
                                    + ",collection:music/salsa|file:movies/coco.mp4\n");
                }
            }
            long started = System.nanoTime();
            Files.move(part, manifests.inbox().resolve("big.csv"));

            JsonNode report = manifests.awaitReport("done", "big.csv", Duration.ofMinutes(5));

            System.out.printf(
                    "100,000-line manifest read and recorded in %.1f s (including the 1 s stable-for wait)%n",
                    (System.nanoTime() - started) / 1e9);
            assertThat(report.path("accepted").asInt()).isEqualTo(LINES);
            assertThat(report.path("rejected").asInt()).isZero();
            assertThat(
                            new JdbcTemplate(pipeline.dataSource())
                                    .queryForObject(
                                            "SELECT COUNT(*) FROM processing_jobs WHERE status ="
                                                    + " 'QUEUED' AND order_id LIKE 'BIG-%'",
                                            Long.class))
                    .isEqualTo(LINES);
            assertThat(queueDepth(pipeline.brokerPort(), "pipeline.jobs")).isEqualTo(LINES);
        }
    }

    private static long queueDepth(int port, String queue) throws Exception {
        try (ServerLocator locator = ActiveMQClient.createServerLocator("tcp://127.0.0.1:" + port);
                ClientSessionFactory factory = locator.createSessionFactory();
                ClientSession session =
                        factory.createSession(
                                PipelineRuntime.USER,
                                PipelineRuntime.PASSWORD,
                                false,
                                true,
                                true,
                                false,
                                0)) {
            return session.queueQuery(SimpleString.of(queue)).getMessageCount();
        }
    }
}
