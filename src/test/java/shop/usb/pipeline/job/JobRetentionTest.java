package shop.usb.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.support.TestDatabase;

/**
 * Old COMPLETED and CANCELLED jobs go with their log lines, in batches; FAILED and recent ones
 * stay.
 */
class JobRetentionTest {

    @TempDir Path root;
    HikariDataSource dataSource;
    JobRepository jobs;
    JdbcTemplate sql;

    @BeforeEach
    void openDatabase() {
        dataSource = TestDatabase.h2(root.resolve("db")).openMigrated();
        jobs = new JobRepository(dataSource, Duration.ZERO, Clock.systemUTC());
        sql = new JdbcTemplate(dataSource);
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    @Test
    void expiredFinishedJobsAreDeletedInBatchesWithTheirLogs() {
        for (int i = 0; i < 5; i++) {
            job("OLD-DONE-" + i, "COMPLETED", 40);
        }
        job("OLD-CANCELLED", "CANCELLED", 31);
        job("OLD-FAILED", "FAILED", 90);
        job("RECENT-DONE", "COMPLETED", 2);

        int deleted = new JobRetention(jobs, Duration.ofDays(30), 2, Clock.systemUTC()).purge();

        assertThat(deleted).isEqualTo(6);
        assertThat(
                        sql.queryForList(
                                "SELECT order_id FROM processing_jobs ORDER BY order_id",
                                String.class))
                .containsExactly("OLD-FAILED", "RECENT-DONE");
        assertThat(sql.queryForObject("SELECT COUNT(*) FROM processing_job_logs", Integer.class))
                .isEqualTo(2);
    }

    @Test
    void aDeletedJobsOrderKeepsItsReceiptSoTheOrderMakesNoSecondJob() {
        job("OLD-REPLAYED", "COMPLETED", 40);
        String jobId = jobs.findByOrderId("OLD-REPLAYED").orElseThrow().id();

        new JobRetention(jobs, Duration.ofDays(30), 10, Clock.systemUTC()).purge();

        assertThat(jobs.findByOrderId("OLD-REPLAYED")).isEmpty();
        assertThat(jobs.receiptOf("OLD-REPLAYED"))
                .hasValueSatisfying(r -> assertThat(r.jobId()).isEqualTo(jobId));
        assertThat(jobs.create("OLD-REPLAYED", "normal", null, "{}"))
                .as("a replay of the old order")
                .isEmpty();
        assertThat(jobs.jobsOfOrders(java.util.List.of("OLD-REPLAYED")))
                .containsEntry("OLD-REPLAYED", jobId + " (deleted by retention)");
    }

    private void job(String orderId, String status, int daysAgo) {
        String id = jobs.create(orderId, "normal", null, "{}").orElseThrow();
        sql.update(
                "UPDATE processing_jobs SET status = ?, completed_at = ? WHERE id = ?",
                status,
                OffsetDateTime.ofInstant(
                        Instant.now().minus(Duration.ofDays(daysAgo)), ZoneOffset.UTC),
                id);
    }
}
