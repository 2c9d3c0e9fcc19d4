package shop.usb.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.ops.AuditTrail;
import shop.usb.pipeline.support.OnEachDatabase;
import shop.usb.pipeline.support.TestDatabase;

/**
 * routes/housekeeping.camel.yaml on both databases, its camel-sql statements against a migrated
 * schema: old COMPLETED and CANCELLED jobs go with their log lines in batches (FAILED and recent
 * ones stay, receipts stay), old audit entries go, jobs whose message was lost are sent again once.
 * The routes' timers are replaced with direct endpoints (AdviceWith by route id) so each run is the
 * test's.
 */
@OnEachDatabase
@Timeout(60)
class HousekeepingRoutesTest {

    @Parameter TestDatabase.Engine engine;

    /** Each test its own folder, so its H2 database is a new one. */
    @TempDir Path folder;

    HikariDataSource dataSource;
    CamelContext camel;
    JobLifecycle jobs;

    /** A migrated database of the engine under test, the housekeeping routes over it. */
    @BeforeEach
    void openDatabaseAndRoutes() throws Exception {
        dataSource = engine.create(folder).openMigrated();
        camel = housekeeping(dataSource);
        jobs = new JobLifecycle(dataSource, "test", Clock.systemUTC());
    }

    @AfterEach
    void closeRoutesThenDatabase() throws Exception {
        if (camel != null) {
            camel.close();
        }
        if (dataSource != null) {
            dataSource.close();
        }
    }

    @Test
    void expiredFinishedJobsAreDeletedInBatchesWithTheirLogs() throws Exception {
        for (int i = 0; i < 5; i++) {
            job("OLD-DONE-" + i, "COMPLETED", 40);
        }
        job("OLD-CANCELLED", "CANCELLED", 31);
        job("OLD-FAILED", "FAILED", 90);
        job("RECENT-DONE", "COMPLETED", 2);

        retention();

        JdbcTemplate sql = new JdbcTemplate(dataSource);
        assertThat(
                        sql.queryForList(
                                "SELECT order_id FROM processing_jobs ORDER BY order_id",
                                String.class))
                .containsExactly("OLD-FAILED", "RECENT-DONE");
        assertThat(sql.queryForObject("SELECT COUNT(*) FROM processing_job_logs", Integer.class))
                .isEqualTo(2);
    }

    @Test
    void retentionNeedsNoLeaseAFinishedJobsDeadRunLeftBehind() throws Exception {
        job("OLD-DONE", "COMPLETED", 40);
        job("OLD-CANCELLED-MID-RUN", "CANCELLED", 40);
        JdbcTemplate sql = new JdbcTemplate(dataSource);
        // Its process died between the cancel and ending its lease: the lease names the run's
        // staging folder itself, so whoever ends it later needs nothing of the job.
        sql.update(
                "INSERT INTO usb_mount_leases (station, mount_path, job_id, run_token,"
                        + " staging_folder, leased_at)"
                        + " SELECT 'test-station', '/usb/slot-1', id, 'dead-run',"
                        + " '/usb/slot-1/.OLD-CANCELLED-MID-RUN.dead-run.part', CURRENT_TIMESTAMP"
                        + " FROM processing_jobs WHERE order_id = 'OLD-CANCELLED-MID-RUN'");

        retention();

        assertThat(sql.queryForList("SELECT order_id FROM processing_jobs", String.class))
                .isEmpty();
        assertThat(sql.queryForList("SELECT staging_folder FROM usb_mount_leases", String.class))
                .containsExactly("/usb/slot-1/.OLD-CANCELLED-MID-RUN.dead-run.part");
    }

    @Test
    void aDeletedJobsOrderKeepsItsReceiptSoTheOrderMakesNoSecondJob() throws Exception {
        JobReads reads = new JobReads(dataSource);
        job("OLD-REPLAYED", "COMPLETED", 40);
        String jobId = reads.findByOrderId("OLD-REPLAYED").orElseThrow().id();

        retention();

        assertThat(reads.findByOrderId("OLD-REPLAYED")).isEmpty();
        assertThat(reads.receiptOf("OLD-REPLAYED"))
                .hasValueSatisfying(r -> assertThat(r.jobId()).isEqualTo(jobId));
        assertThat(jobs.create("OLD-REPLAYED", "normal", null, "{}"))
                .as("a replay of the old order")
                .isEmpty();
        assertThat(reads.jobsOfOrders(List.of("OLD-REPLAYED")).get("OLD-REPLAYED"))
                .hasToString(jobId + " (deleted by retention)");
    }

    @Test
    void auditEntriesOlderThanTheRetentionGoAndNewerOnesStay() throws Exception {
        Instant now = Instant.now();
        for (int i = 0; i < 5; i++) {
            new AuditTrail(dataSource, Clock.fixed(now.minus(Duration.ofDays(400)), ZoneOffset.UTC))
                    .record("anna", "job.cancel", "old-" + i, () -> null, value -> "CANCELLED");
        }
        AuditTrail today = new AuditTrail(dataSource, Clock.fixed(now, ZoneOffset.UTC));
        new AuditTrail(dataSource, Clock.fixed(now.minus(Duration.ofDays(300)), ZoneOffset.UTC))
                .record("anna", "job.cancel", "kept", () -> null, value -> "CANCELLED");

        retention();

        assertThat(today.page(null, null, null, null).actions())
                .extracting(AuditTrail.Entry::target)
                .containsExactly("kept");
    }

    @Test
    void bulkOperationsThatFinishedBeforeTheAuditsRetentionGoAndRunningOnesStay() throws Exception {
        Instant now = Instant.now();
        bulkOperation("old-done", "DONE", now.minus(Duration.ofDays(400)));
        bulkOperation("recent-done", "DONE", now.minus(Duration.ofDays(300)));
        bulkOperation("old-running", "RUNNING", null);

        retention();

        assertThat(
                        new JdbcTemplate(dataSource)
                                .queryForList(
                                        "SELECT target FROM bulk_operations ORDER BY target",
                                        String.class))
                .containsExactly("old-running", "recent-done");
    }

    @Test
    void jobsWhoseJobMessageWasLostAreSentAgainOncePerPeriod() throws Exception {
        JdbcTemplate sql = new JdbcTemplate(dataSource);
        String lost = jobs.create("ORD-LOST-MESSAGE", "high", null, "{}").orElseThrow();
        sql.update(
                "UPDATE processing_jobs SET created_at = created_at - INTERVAL '11' MINUTE"
                        + " WHERE id = ?",
                lost);
        String retry = jobs.create("ORD-LOST-RETRY", "low", null, "{}").orElseThrow();
        sql.update(
                "UPDATE processing_jobs SET status = 'RETRYING', next_attempt_at ="
                        + " CURRENT_TIMESTAMP - INTERVAL '1' MINUTE WHERE id = ?",
                retry);
        String fresh = jobs.create("ORD-FRESH", "normal", null, "{}").orElseThrow();
        MockEndpoint followUps = camel.getEndpoint("mock:job-follow-up", MockEndpoint.class);
        followUps.expectedMessageCount(2);

        ProducerTemplate template = camel.createProducerTemplate();
        template.sendBody("direct:overdue-job-resend", null);
        template.sendBody("direct:overdue-job-resend", null);

        followUps.assertIsSatisfied(10_000);
        assertThat(followUps.getReceivedExchanges())
                .extracting(exchange -> exchange.getMessage().getBody(FollowUp.class))
                .extracting(FollowUp::jobId, FollowUp::priority)
                .as(
                        "the QUEUED job queued too long and the RETRYING one past its due time,"
                                + " each once; not the fresh one")
                .containsExactlyInAnyOrder(tuple(lost, "high"), tuple(retry, "low"));
        assertThat(new JobReads(dataSource).findById(fresh).orElseThrow().status())
                .isEqualTo(JobStatus.QUEUED);
    }

    /**
     * The housekeeping routes over this database, retention 30 days for jobs and a year for the
     * audit, batches of 2 (so several are run), lost messages overdue after 30 s or 10 min queued.
     */
    private static CamelContext housekeeping(HikariDataSource dataSource) throws Exception {
        CamelContext camel = new DefaultCamelContext();
        Properties properties = new Properties();
        properties.setProperty("pipeline.retention.check-interval", "1h");
        properties.setProperty("pipeline.stalled.check-interval", "1h");
        camel.getPropertiesComponent().setInitialProperties(properties);
        camel.getRegistry().bind("dataSource", dataSource);
        camel.getRegistry()
                .bind(
                        RetentionPolicy.BEAN_NAME,
                        new RetentionPolicy(
                                Duration.ofDays(30),
                                Duration.ofDays(365),
                                Duration.ofDays(7),
                                2,
                                Clock.systemUTC()));
        camel.getRegistry()
                .bind(
                        OverdueJobs.BEAN_NAME,
                        new OverdueJobs(Duration.ofSeconds(30), Duration.ofMinutes(10)));
        camel.addRoutes(
                new RouteBuilder() {
                    @Override
                    public void configure() {
                        from("direct:job-follow-up").to("mock:job-follow-up");
                    }
                });
        PluginHelper.getRoutesLoader(camel)
                .loadRoutes(
                        ResourceHelper.resolveMandatoryResource(
                                camel, "classpath:routes/housekeeping.camel.yaml"));
        AdviceWith.adviceWith(
                camel, "job-retention", route -> route.replaceFromWith("direct:job-retention"));
        AdviceWith.adviceWith(
                camel,
                "overdue-job-resend",
                route -> route.replaceFromWith("direct:overdue-job-resend"));
        camel.start();
        return camel;
    }

    private void retention() {
        camel.createProducerTemplate().sendBody("direct:job-retention", null);
    }

    private void bulkOperation(String target, String status, Instant finishedAt) {
        OffsetDateTime created = OffsetDateTime.now(ZoneOffset.UTC).minusDays(500);
        new JdbcTemplate(dataSource)
                .update(
                        "INSERT INTO bulk_operations (id, kind, filters, target, actor, status,"
                                + " matched, eligible, run_token, created_at, heartbeat_at,"
                                + " finished_at) VALUES (?, 'RETRY', '{}', ?, 'anna', ?, 0, 0, ?,"
                                + " ?, ?, ?)",
                        UUID.randomUUID().toString(),
                        target,
                        status,
                        UUID.randomUUID().toString(),
                        created,
                        created,
                        finishedAt == null
                                ? null
                                : OffsetDateTime.ofInstant(finishedAt, ZoneOffset.UTC));
    }

    private void job(String orderId, String status, int daysAgo) {
        String id = jobs.create(orderId, "normal", null, "{}").orElseThrow();
        new JdbcTemplate(dataSource)
                .update(
                        "UPDATE processing_jobs SET status = ?, completed_at = ? WHERE id = ?",
                        status,
                        OffsetDateTime.ofInstant(
                                Instant.now().minus(Duration.ofDays(daysAgo)), ZoneOffset.UTC),
                        id);
    }
}
