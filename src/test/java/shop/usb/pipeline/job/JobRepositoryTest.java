package shop.usb.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import shop.usb.pipeline.support.TestDatabase;

/** Status changes are guarded where the data lives, on both databases the product supports. */
class JobRepositoryTest {

    @TempDir
    static Path folder;

    static Stream<TestDatabase> databases() {
        return Stream.of(TestDatabase.h2(folder.resolve("h2")), TestDatabase.postgres());
    }

    @ParameterizedTest
    @MethodSource("databases")
    void secondJobForSameOrderIsRefused(TestDatabase database) {
        try (HikariDataSource dataSource = open(database)) {
            JobRepository jobs = new JobRepository(dataSource, Duration.ZERO, Clock.systemUTC());

            assertThat(jobs.create("ORD-1", "normal", "{}")).isPresent();
            assertThat(jobs.create("ORD-1", "high", "{}")).isEmpty();
            assertThat(jobs.findAll("ORD-1", 10)).hasSize(1);
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void illegalTransitionsAreRefused(TestDatabase database) {
        try (HikariDataSource dataSource = open(database)) {
            JobRepository jobs = new JobRepository(dataSource, Duration.ZERO, Clock.systemUTC());
            String id = jobs.create("ORD-2", "normal", "{}").orElseThrow();

            assertThatThrownBy(() -> jobs.complete(id, Instant.now(), "done"))
                    .isInstanceOf(IllegalTransitionException.class);
            assertThat(jobs.claim(id, "me")).isPresent();
            assertThat(jobs.claim(id, "someone-else")).isEmpty();
            jobs.complete(id, Instant.now(), "done");
            assertThatThrownBy(() -> jobs.fail(id, Stage.VERIFY, Instant.now(), ErrorCode.IO_ERROR, "late"))
                    .isInstanceOf(IllegalTransitionException.class);
            assertThat(jobs.findById(id)).get().satisfies(job -> {
                assertThat(job.status()).isEqualTo("COMPLETED");
                assertThat(job.progress()).isEqualTo(100);
                assertThat(job.attempts()).isEqualTo(1);
            });
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void runningJobsLogLinesAreWrittenWithItsStatusChangeInOrder(TestDatabase database) {
        try (HikariDataSource dataSource = open(database)) {
            JobRepository jobs = new JobRepository(dataSource, Duration.ofHours(1), Clock.systemUTC());
            String id = validating(jobs, "ORD-3");
            jobs.log(id, "WARN", Stage.VALIDATE, "A note");

            assertThat(jobs.logs(id)).extracting(JobLogView::message).containsExactly("Order ORD-3 received");
            jobs.complete(id, Instant.now(), "Done");

            assertThat(jobs.logs(id)).extracting(JobLogView::message)
                    .containsExactly("Order ORD-3 received", "Attempt 1 started on me", "Validating", "A note", "Done");
            jobs.writeLogs(id);
            assertThat(jobs.logs(id)).as("nothing is written twice").hasSize(5);
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void runWhoseStatusChangeIsRefusedKeepsItsLogLines(TestDatabase database) {
        try (HikariDataSource dataSource = open(database)) {
            JobRepository jobs = new JobRepository(dataSource, Duration.ofHours(1), Clock.systemUTC());
            String id = validating(jobs, "ORD-4");
            assertThat(jobs.cancel(id)).isEqualTo(JobRepository.CancelOutcome.REQUESTED);

            assertThatThrownBy(() -> jobs.scheduleRetry(id, Stage.VALIDATE, ErrorCode.IO_ERROR, "Disk", Instant.now()))
                    .isInstanceOf(JobCancelledException.class);
            jobs.writeLogs(id);

            assertThat(jobs.logs(id)).extracting(JobLogView::message).containsExactly("Order ORD-4 received",
                    "Attempt 1 started on me", "Validating", "Cancel requested; stopping at the next checkpoint");
        }
    }

    /** A job of a new order, claimed by "me" and in its validate stage. */
    private static String validating(JobRepository jobs, String orderId) {
        String id = jobs.create(orderId, "normal", "{}").orElseThrow();
        jobs.claim(id, "me").orElseThrow();
        jobs.enterStage(id, Stage.VALIDATE, "Validating");
        return id;
    }

    private static HikariDataSource open(TestDatabase database) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(database.url());
        if (!database.user().isEmpty()) {
            dataSource.setUsername(database.user());
            dataSource.setPassword(database.password());
        }
        shop.usb.pipeline.platform.Database.migrate(dataSource);
        return dataSource;
    }
}
