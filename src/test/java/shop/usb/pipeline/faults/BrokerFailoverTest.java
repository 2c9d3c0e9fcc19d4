package shop.usb.pipeline.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import shop.usb.pipeline.support.PipelineRuntime;

/**
 * One step past one broker: an Artemis primary and its backup on a shared store, the instances
 * given both with {@code (tcp://primary,tcp://backup)?ha=true&reconnectAttempts=-1} (README,
 * Scaling out). The primary is killed under load and the backup takes over; then the primary comes
 * back and the backup hands its place back (failback), a second failover under load.
 */
class BrokerFailoverTest extends TopologyUnderFaults {

    private StandaloneArtemis primary;
    private StandaloneArtemis backup;

    @Override
    protected void startBroker(Path dir, Map<String, String[]> accounts) throws Exception {
        StandaloneArtemis[] pair =
                StandaloneArtemis.createPair(
                        dir, PipelineRuntime.freePort(), PipelineRuntime.freePort(), accounts);
        primary = pair[0];
        backup = pair[1];
        primary.start();
        backup.startAsBackup();
    }

    /**
     * Both nodes: a new connection takes whichever is active. The sender connects for every order,
     * so it tries the other node at once rather than after the default 2 s.
     */
    @Override
    protected String brokerUrl() {
        return nodes() + "?retryInterval=100";
    }

    private String nodes() {
        return "(" + primary.url() + "," + backup.url() + ")";
    }

    @Override
    protected int brokerPort() {
        return primary.port();
    }

    @Override
    protected String brokerUrlOf(Instance instance) {
        return nodes() + "?ha=true&reconnectAttempts=-1";
    }

    @Override
    protected void stopBroker() {
        if (backup != null) {
            backup.close();
        }
        if (primary != null) {
            primary.close();
        }
    }

    @Test
    @Order(1)
    void primaryKilledAndTheBackupTakesOver() throws Exception {
        long backupLog = backup.logLength();
        // The part "comes back" when the backup has activated; the recovery time counts from there.
        row(
                "Artemis pair: primary SIGKILL, backup takes over",
                10,
                Duration.ZERO,
                primary::kill,
                () -> backup.awaitLogged(backupLog, "AMQ221010: Backup Server is now active"));
    }

    /**
     * An instance that starts while the primary is away learns of the backup only from its URL (one
     * that has connected before knows the pair from the broker): it must reach the backup.
     */
    @Test
    @Order(2)
    void anInstanceRestartedWhileTheBackupIsActive() throws Exception {
        row(
                "pipeline-1 SIGKILL and restarted while the backup is active",
                10,
                Duration.ZERO,
                instances[0]::kill,
                () -> {
                    instances[0].start();
                    instances[0].awaitReady();
                });
    }

    @Test
    @Order(3)
    void primaryRestartedAndTheBackupFailsBack() throws Exception {
        long backupLog = backup.logLength();
        row(
                "Artemis pair: primary restarted, backup fails back to it",
                10,
                Duration.ZERO,
                primary::start,
                () -> backup.awaitLogged(backupLog, "AMQ221031: backup announced"));
    }
}
