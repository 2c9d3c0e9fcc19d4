package shop.usb.pipeline.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.health.HealthReport.Issue;
import shop.usb.pipeline.health.HealthReport.Status;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobStatistics;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.Stations;
import shop.usb.pipeline.support.TestDatabase;

/**
 * The verdict from the spec's thresholds: success rate, stalled jobs, backlog, oldest queued job,
 * parts.
 */
class PipelineHealthTest {

    static final HealthThresholds SPEC =
            new HealthThresholds(
                    0.90, 0.70, 0, 5, 100, Duration.ofMinutes(10), Duration.ofMinutes(5));

    @TempDir Path root;
    HikariDataSource dataSource;
    JobLifecycle jobs;
    JdbcTemplate sql;
    BrokerWatch brokerWatch;
    PipelineHealth health;

    @BeforeEach
    void open() throws Exception {
        dataSource = TestDatabase.h2(root.resolve("db")).openMigrated();
        jobs = new JobLifecycle(dataSource, "test", Clock.systemUTC());
        sql = new JdbcTemplate(dataSource);
        Path mount = Files.createDirectories(root.resolve("usb"));
        // Nothing listens on this port: the broker counts as down.
        ActiveMQConnectionFactory noBroker =
                new ActiveMQConnectionFactory(
                        "tcp://127.0.0.1:"
                                + PipelineRuntime.freePort()
                                + "?reconnectAttempts=0&initialConnectAttempts=1");
        brokerWatch = new BrokerWatch(noBroker, Duration.ofMillis(100), Clock.systemUTC());
        brokerWatch.start();
        Awaitility.await("the watch found no broker")
                .atMost(Duration.ofSeconds(30))
                .until(() -> brokerWatch.problem().filter(p -> p.contains("since")).isPresent());
        health =
                new PipelineHealth(
                        new JobStatistics(dataSource),
                        dataSource,
                        brokerWatch,
                        Stations.folders(dataSource, Duration.ofSeconds(1), false, mount)
                                .allocator(),
                        SPEC,
                        Clock.systemUTC());
    }

    @AfterEach
    void close() {
        brokerWatch.stop();
        dataSource.close();
    }

    @Test
    void successRateBelowNinetyPercentDegradesAndBelowSeventyIsUnhealthy() {
        ended("COMPLETED", 8);
        ended("FAILED", 2);
        assertThat(issue("success-rate-last-hour").severity()).isEqualTo(Status.degraded);
        assertThat(issue("success-rate-last-hour").figure()).isEqualTo("80.0%");
        ended("FAILED", 2);
        assertThat(issue("success-rate-last-hour").severity()).isEqualTo(Status.unhealthy);
    }

    @Test
    void stalledJobsBacklogAndOldQueuedJobsAreNamedWithTheirFigures() {
        // 102 jobs, one of which becomes PROCESSING: 101 QUEUED, one over the backlog limit.
        for (int i = 0; i < 102; i++) {
            jobs.create("Q-" + i, "normal", null, "{}");
        }
        sql.update(
                "UPDATE processing_jobs SET created_at = ? WHERE order_id = 'Q-0'",
                ago(Duration.ofMinutes(11)));
        sql.update(
                "UPDATE processing_jobs SET status = 'PROCESSING', run_token = 'test-run', heartbeat_at = ? WHERE order_id = 'Q-1'",
                ago(Duration.ofMinutes(6)));

        HealthReport report = health.evaluate();

        assertThat(issue(report, "queued-backlog").figure()).isEqualTo(101L);
        assertThat(issue(report, "oldest-queued-age").severity()).isEqualTo(Status.degraded);
        assertThat(issue(report, "stalled-jobs").figure()).isEqualTo(1L);
        assertThat(issue(report, "stalled-jobs").severity()).isEqualTo(Status.degraded);
        assertThat(issue(report, "broker").severity())
                .as("no broker listens")
                .isEqualTo(Status.unhealthy);
        assertThat(report.status()).isEqualTo(Status.unhealthy);
    }

    @Test
    void moreThanFiveStalledJobsAreUnhealthy() {
        for (int i = 0; i < 6; i++) {
            String id = jobs.create("S-" + i, "normal", null, "{}").orElseThrow();
            sql.update(
                    "UPDATE processing_jobs SET status = 'PROCESSING', run_token = 'test-run', heartbeat_at = ? WHERE id = ?",
                    ago(Duration.ofMinutes(6)),
                    id);
        }
        assertThat(issue("stalled-jobs").severity()).isEqualTo(Status.unhealthy);
    }

    private Issue issue(String condition) {
        return issue(health.evaluate(), condition);
    }

    private static Issue issue(HealthReport report, String condition) {
        return report.issues().stream()
                .filter(i -> i.condition().equals(condition))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + condition + " issue in " + report));
    }

    private void ended(String status, int count) {
        for (int i = 0; i < count; i++) {
            String id =
                    jobs.create(status + "-" + System.nanoTime(), "normal", null, "{}")
                            .orElseThrow();
            sql.update(
                    "UPDATE processing_jobs SET status = ?, completed_at = ? WHERE id = ?",
                    status,
                    ago(Duration.ofMinutes(5)),
                    id);
        }
    }

    private static OffsetDateTime ago(Duration duration) {
        return OffsetDateTime.ofInstant(Instant.now().minus(duration), ZoneOffset.UTC);
    }
}
