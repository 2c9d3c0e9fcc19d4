package shop.usb.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.ops.BulkOperations.Claim;
import shop.usb.pipeline.ops.BulkOperations.Kind;
import shop.usb.pipeline.support.TestDatabase;

/** Who holds a bulk operation: one run at a time, and a run taken over changes nothing more. */
class BulkOperationsTest {

    @TempDir Path root;
    HikariDataSource dataSource;
    BulkOperations operations;

    @BeforeEach
    void open() {
        dataSource = TestDatabase.h2(root.resolve("db")).openMigrated();
        operations = new BulkOperations(dataSource);
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    @Test
    void aRunTakenOverIsRefusedAtItsNextBatchAndOnlyOneRunTakesItOver() {
        Claim first = operations.create(Kind.RETRY, Map.of("q", "X"), "q=X", "anna", 3, 2);
        assertThat(operations.hold(first)).isTrue();

        // Its heartbeat counts as stale at once (a negative threshold): a sweep takes it over.
        List<Claim> taken = operations.takeOverStale(Duration.ofSeconds(-1));
        assertThat(taken).extracting(Claim::id).containsExactly(first.id());
        Claim second = taken.get(0);
        assertThat(second.token()).isNotEqualTo(first.token());

        assertThat(operations.hold(first)).as("the old run's next batch").isFalse();
        assertThat(operations.recordBatch(first, 1, 1, null)).isFalse();
        assertThat(operations.finish(first)).isFalse();
        assertThat(operations.hold(second)).isTrue();
        assertThat(operations.recordBatch(second, 2, 1, null)).isTrue();
        assertThat(operations.finish(second)).isTrue();

        BulkOperations.Operation done = operations.find(first.id()).orElseThrow();
        assertThat(done.done()).isTrue();
        assertThat(done.processed()).isEqualTo(2);
        assertThat(done.changed()).isEqualTo(1);
        assertThat(done.resumed()).isEqualTo(1);
        assertThat(operations.takeOverStale(Duration.ofSeconds(-1)))
                .as("a finished operation is nobody's to take")
                .isEmpty();
    }

    @Test
    void filtersTooLongToKeepAreRefusedNamingThem() {
        assertThatThrownBy(
                        () ->
                                operations.create(
                                        Kind.CANCEL,
                                        Map.of(
                                                "q",
                                                "\u0001".repeat(255),
                                                "stick",
                                                "\u0001".repeat(255)),
                                        "q=…",
                                        "anna",
                                        0,
                                        0))
                .isInstanceOf(ApiProblem.class)
                .hasMessageContaining("filters");
    }
}
