package shop.usb.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobReads;
import shop.usb.pipeline.support.OnEachDatabase;
import shop.usb.pipeline.support.TestDatabase;

/**
 * The audit trail on both databases: an action and its record commit together, pages. (Retention:
 * HousekeepingRoutesTest.)
 */
@OnEachDatabase
class AuditTrailTest {

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    @Parameter TestDatabase.Engine engine;

    /** Each test its own folder, so its H2 database is a new one. */
    @TempDir Path folder;

    @Test
    void anActionIsRecordedWithItsResultAndARefusalWithItsCode() {
        TestDatabase database = engine.create(folder);
        try (HikariDataSource dataSource = database.openMigrated()) {
            AuditTrail audit = trail(dataSource, NOW);
            JobLifecycle jobs = new JobLifecycle(dataSource, "test", Clock.systemUTC());
            JobReads reads = new JobReads(dataSource);

            assertThat(
                            audit.record(
                                    "anna",
                                    "job.retry",
                                    "job-1",
                                    () -> 42,
                                    value -> "DONE-" + value))
                    .isEqualTo(42);
            assertThatThrownBy(
                            () ->
                                    audit.record(
                                            "ci",
                                            "job.cancel",
                                            "job-2",
                                            () -> {
                                                throw new ApiProblem(
                                                        409,
                                                        "CONFLICT",
                                                        "Job job-2 is COMPLETED",
                                                        List.of());
                                            },
                                            value -> "never"))
                    .isInstanceOf(ApiProblem.class);
            // A failure that is no refusal rolls back what the action wrote, and leaves no record.
            assertThatThrownBy(
                            () ->
                                    audit.record(
                                            "ci",
                                            "job.cancel",
                                            "job-3",
                                            () -> {
                                                jobs.create(
                                                        "ORDER-IN-A-FAILED-ACTION",
                                                        "normal",
                                                        null,
                                                        "{}");
                                                throw new IllegalStateException(
                                                        "the database went away");
                                            },
                                            value -> "never"))
                    .isInstanceOf(IllegalStateException.class);

            List<AuditTrail.Entry> trail = audit.page(null, null, null, null).actions();
            assertThat(trail)
                    .extracting(
                            AuditTrail.Entry::actor,
                            AuditTrail.Entry::action,
                            AuditTrail.Entry::target,
                            AuditTrail.Entry::result)
                    .containsExactly(
                            Tuple.tuple("ci", "job.cancel", "job-2", "CONFLICT"),
                            Tuple.tuple("anna", "job.retry", "job-1", "DONE-42"));
            assertThat(trail.get(0).at()).isEqualTo(NOW.toString());
            assertThat(reads.findAll("ORDER-IN-A-FAILED-ACTION", 10)).isEmpty();
        }
    }

    @Test
    void theTrailIsPagedNewestFirstAndFiltered() {
        TestDatabase database = engine.create(folder);
        try (HikariDataSource dataSource = database.openMigrated()) {
            AuditTrail audit = trail(dataSource, NOW);
            for (int i = 1; i <= 7; i++) {
                audit.record(
                        i % 2 == 0 ? "anna" : "ci",
                        "job.retry",
                        "job-" + (i % 3),
                        () -> null,
                        value -> "QUEUED");
            }

            List<Long> seen = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                AuditTrail.Page page = audit.page(null, null, cursor, "3");
                page.actions().forEach(entry -> seen.add(entry.id()));
                cursor = page.nextCursor();
                pages++;
            } while (cursor != null);
            assertThat(pages).isEqualTo(3);
            assertThat(seen).hasSize(7).isSortedAccordingTo(Comparator.reverseOrder());

            assertThat(audit.page("anna", null, null, null).actions())
                    .hasSize(3)
                    .allSatisfy(entry -> assertThat(entry.actor()).isEqualTo("anna"));
            assertThat(audit.page(null, "job-0", null, null).actions()).hasSize(2);
            assertThat(audit.page("ci", "job-1", null, null).actions()).hasSize(2);
        }
    }

    @Test
    void badQueryValuesAreNamed() {
        TestDatabase database = engine.create(folder);
        try (HikariDataSource dataSource = database.openMigrated()) {
            AuditTrail audit = trail(dataSource, NOW);
            assertThatThrownBy(() -> audit.page(null, null, "not-a-cursor", null))
                    .isInstanceOf(ApiProblem.class)
                    .hasMessageContaining("cursor");
            assertThatThrownBy(() -> audit.page(null, null, null, "0"))
                    .isInstanceOf(ApiProblem.class)
                    .hasMessageContaining("limit");
            assertThatThrownBy(() -> audit.page("a".repeat(65), null, null, null))
                    .isInstanceOf(ApiProblem.class)
                    .hasMessageContaining("actor");
        }
    }

    /** A trail whose clock stands at {@code now}. */
    static AuditTrail trail(HikariDataSource dataSource, Instant now) {
        return new AuditTrail(dataSource, Clock.fixed(now, ZoneOffset.UTC));
    }
}
