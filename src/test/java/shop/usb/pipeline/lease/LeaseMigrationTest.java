package shop.usb.pipeline.lease;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.platform.Database;
import shop.usb.pipeline.support.OnEachDatabase;
import shop.usb.pipeline.support.TestDatabase;

/**
 * An instance upgraded with leases and slots the version before left: each lease names what its
 * dead run may have left, and a slot whose delivery was recorded before the slot was marked is
 * DONE.
 */
@OnEachDatabase
class LeaseMigrationTest {

    @Parameter TestDatabase.Engine engine;
    @TempDir Path root;
    HikariDataSource dataSource;

    @AfterEach
    void closeDatabase() {
        dataSource.close();
    }

    @Test
    void leasesOfTheVersionBeforeNameTheirFilesAndADeliveredSlotIsDone() {
        TestDatabase database = engine.create(root);
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(database.url());
        if (!database.user().isEmpty()) {
            dataSource.setUsername(database.user());
            dataSource.setPassword(database.password());
        }
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .target("13")
                .load()
                .migrate();
        JdbcTemplate sql = new JdbcTemplate(dataSource);
        // The version before: a run killed after naming its order folder on slot-1, and a job
        // completed on slot-2 whose process stopped before it marked the slot and freed its lease.
        job(sql, "job-a", "ORD-A", "PROCESSING", "run-a", "/usb/slot-1", null);
        job(sql, "job-b", "ORD-B", "COMPLETED", null, "/usb/slot-2", "slot-2");
        slot(sql, "slot-1", "stick-1", "job-a");
        slot(sql, "slot-2", "stick-2", "job-b");
        lease(sql, "/usb/slot-1", "job-a", "run-a");
        lease(sql, "/usb/slot-2", "job-b", "run-b");

        Database.migrate(dataSource);

        Map<String, Object> interrupted =
                sql.queryForMap("SELECT * FROM usb_mount_leases WHERE job_id = 'job-a'");
        assertThat(interrupted)
                .containsEntry("staging_folder", "/usb/slot-1/.ORD-A.run-a.part")
                .containsEntry("order_folder", "/usb/slot-1/ORD-A")
                .containsEntry("slot", "slot-1")
                .containsEntry("stick_id", "stick-1")
                .containsEntry("published", true);
        assertThat(sql.queryForMap("SELECT * FROM usb_mount_leases WHERE job_id = 'job-b'"))
                .as("a delivered order is never a lease's to remove")
                .containsEntry("published", false);
        assertThat(sql.queryForList("SELECT state FROM usb_slots ORDER BY slot", String.class))
                .containsExactly("WRITING", "DONE");
    }

    private static void job(
            JdbcTemplate sql,
            String id,
            String orderId,
            String status,
            String runToken,
            String mount,
            String slot) {
        sql.update(
                "INSERT INTO processing_jobs (id, order_id, status, stage, progress, priority,"
                        + " attempts, order_json, created_at, updated_at, run_token, usb_mount,"
                        + " owner_instance, slot) VALUES (?, ?, ?, 'write-usb', 50, 'normal', 1,"
                        + " '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, ?, ?, 'station-1', ?)",
                id,
                orderId,
                status,
                runToken,
                mount,
                slot);
    }

    private static void slot(JdbcTemplate sql, String slot, String stickId, String jobId) {
        sql.update(
                "INSERT INTO usb_slots (station, slot, path, kind, state, stick_id, job_id,"
                        + " updated_at) VALUES ('station-1', ?, ?, 'STICK', 'WRITING', ?, ?,"
                        + " CURRENT_TIMESTAMP)",
                slot,
                "/usb/" + slot,
                stickId,
                jobId);
    }

    private static void lease(JdbcTemplate sql, String mount, String jobId, String runToken) {
        sql.update(
                "INSERT INTO usb_mount_leases (station, mount_path, job_id, run_token, leased_at)"
                        + " VALUES ('station-1', ?, ?, ?, CURRENT_TIMESTAMP)",
                mount,
                jobId,
                runToken);
    }
}
