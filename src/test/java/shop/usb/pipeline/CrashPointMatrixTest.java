package shop.usb.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.support.CrashChain;
import shop.usb.pipeline.support.CrashChain.Outcome;
import shop.usb.pipeline.support.CrashChain.Row;
import shop.usb.pipeline.support.LoopStick;
import shop.usb.pipeline.support.TestDatabase;

/**
 * The crash-point matrix. The product runs in its own JVM and halts ({@code Runtime.halt}, as
 * abrupt as SIGKILL) at one named step at which files or rows change (see CrashPoints), then starts
 * again on the same data. Every step runs on H2 and on PostgreSQL, on an ext4 loop-device stick and
 * on a folder slot. After each restart the order is COMPLETED exactly once and passes {@code
 * sha256sum -c}; a stick holds that order and nothing else; no staging folder is left anywhere; no
 * lease is left without a live run; what a dead run's lease named is gone. The table is printed.
 *
 * <p>The restart that recovers one row's order is the run that halts at the next row's step (each
 * halt is scoped to its own order), so each row costs one start of the product. A recovery row
 * halts in the start that recovers the row before it.
 */
class CrashPointMatrixTest {

    private static final Logger LOG = LoggerFactory.getLogger(CrashPointMatrixTest.class);

    /** A failing run, so that the run itself ends its lease without a delivery. */
    private static final String FAIL_MID_FILE = "run:file-half-written";

    /** Its lease's end fails too: the lease stays for abandoned-run recovery to end. */
    private static final Map<String, String> ABANDONED_RECOVERY_SOON =
            Map.of(
                    "pipeline.retry.delays", "5s",
                    "pipeline.recovery.abandoned-check-interval", "200ms");

    static final List<Row> ROWS =
            List.of(
                    Row.run("run:lease-written"),
                    Row.run("run:staging-created"),
                    Row.run("run:file-half-written"),
                    Row.run("run:write-fsynced"),
                    Row.run("run:publish-recorded"),
                    Row.run("run:published"),
                    Row.atRecoveryOfTheRowBefore("startup-recovery:lease-files-removed"),
                    Row.run("run:verified"),
                    Row.atRecoveryOfTheRowBefore("startup-recovery:lease-ended"),
                    Row.ended("run:completed", "", Map.of()),
                    Row.run("run:lease-files-removed", FAIL_MID_FILE),
                    Row.run("run:lease-ended", FAIL_MID_FILE),
                    Row.afterADeadLease("takeover:lease-files-removed"),
                    Row.afterADeadLease("takeover:lease-ended"),
                    Row.ended(
                            "abandoned-recovery:lease-files-removed",
                            FAIL_MID_FILE + ",run:lease-files-removed",
                            ABANDONED_RECOVERY_SOON),
                    Row.ended(
                            "abandoned-recovery:lease-ended",
                            FAIL_MID_FILE + ",run:lease-files-removed",
                            ABANDONED_RECOVERY_SOON));

    @TempDir Path root;

    @Test
    void everyStepOnBothDatabasesOnAStickAndOnAFolderLeavesTheOrderRecoverable() throws Exception {
        LoopStick.requireMountRights();
        List<Row> rows = chosen(ROWS);
        List<CrashChain> chains = new ArrayList<>();
        for (TestDatabase.Engine engine : TestDatabase.Engine.values()) {
            for (boolean stick : new boolean[] {true, false}) {
                String name = engine.name().toLowerCase() + (stick ? "-stick" : "-folder");
                if (!System.getProperty("crash.matrix.columns", name).contains(name)) {
                    continue;
                }
                chains.add(
                        new CrashChain(
                                name,
                                root.resolve(name),
                                engine.create(root.resolve(name)),
                                stick));
            }
        }
        // Two at a time: this machine's two cores each start a product while the other works.
        ExecutorService lanes = Executors.newFixedThreadPool(2);
        List<Future<List<Outcome>>> runs = new ArrayList<>();
        try {
            for (CrashChain chain : chains) {
                runs.add(lanes.submit(() -> chain.run(rows)));
            }
            List<List<Outcome>> outcomes = new ArrayList<>();
            for (Future<List<Outcome>> run : runs) {
                outcomes.add(run.get());
            }
            String table = table(rows, chains, outcomes);
            LOG.info("Crash-point matrix:\n{}", table);
            System.out.println(table);
            for (List<Outcome> chain : outcomes) {
                assertThat(chain)
                        .allSatisfy(
                                outcome ->
                                        assertThat(outcome.problems())
                                                .as(outcome.chain() + " " + outcome.step())
                                                .isEmpty());
            }
        } finally {
            lanes.shutdownNow();
            for (CrashChain chain : chains) {
                chain.close();
            }
        }
    }

    /** A row per step, a column per database and slot: ok, or what was wrong. */
    /**
     * The rows {@code -Dcrash.matrix.rows=step,step} names (with the row before a recovery row,
     * which leaves what it recovers), to see one row fail with its step's order broken; all by
     * default.
     */
    private static List<Row> chosen(List<Row> all) {
        String named = System.getProperty("crash.matrix.rows");
        if (named == null || named.isBlank()) {
            return all;
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (List.of(named.split(",")).contains(all.get(i).halt())) {
                if (all.get(i).atRecoveryOfTheRowBefore() && !rows.contains(all.get(i - 1))) {
                    rows.add(all.get(i - 1));
                }
                rows.add(all.get(i));
            }
        }
        return rows;
    }

    private static String table(
            List<Row> rows, List<CrashChain> chains, List<List<Outcome>> outcomes) {
        StringBuilder table = new StringBuilder("| step |");
        chains.forEach(chain -> table.append(' ').append(chain.name()).append(" |"));
        table.append("\n|---|").append("---|".repeat(chains.size())).append('\n');
        for (int row = 0; row < rows.size(); row++) {
            table.append("| ").append(rows.get(row).halt()).append(" |");
            for (List<Outcome> chain : outcomes) {
                Outcome outcome = chain.get(row);
                table.append(' ')
                        .append(
                                outcome.problems().isEmpty()
                                        ? "ok (" + outcome.summary() + ")"
                                        : String.join("; ", outcome.problems()))
                        .append(" |");
            }
            table.append('\n');
        }
        return table.toString();
    }
}
