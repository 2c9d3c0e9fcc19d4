package shop.usb.pipeline.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.order;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import shop.usb.pipeline.support.PipelineRuntime;

/**
 * One standalone Artemis, as docker/compose.yaml runs it, each instance reaching it through a
 * proxy; the broker, the database, the network and the instances fail in turn (README,
 * Reliability).
 */
class FaultTopologyTest extends TopologyUnderFaults {

    private static final Duration LONG_OUTAGE =
            Duration.parse(System.getProperty("faults.long-outage", "PT5M"));

    private StandaloneArtemis broker;

    @Override
    protected void startBroker(Path dir, Map<String, String[]> accounts) throws Exception {
        broker = StandaloneArtemis.create(dir, PipelineRuntime.freePort(), accounts);
        broker.start();
    }

    @Override
    protected String brokerUrl() {
        return broker.url();
    }

    @Override
    protected int brokerPort() {
        return broker.port();
    }

    @Override
    protected String brokerUrlOf(Instance instance) {
        return "tcp://127.0.0.1:" + instance.brokerLink.port();
    }

    @Override
    protected void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Order(1)
    void brokerKilledAndRestartedAfterFiveSeconds() throws Exception {
        row(
                "broker SIGKILL, restarted after 5 s",
                10,
                Duration.ofSeconds(5),
                broker::kill,
                broker::start);
    }

    @Test
    @Order(2)
    void brokerDownForAMinute() throws Exception {
        row(
                "broker down 60 s",
                10,
                Duration.ofSeconds(60),
                () -> {
                    broker.kill();
                    HttpResponse<String> refused =
                            instances[0].submit(
                                    order("HTTP-WHILE-BROKER-DOWN")
                                            .file("music/jazz/01-so-what.mp3")
                                            .json());
                    assertThat(refused.statusCode())
                            .as("an HTTP submit while the broker is away")
                            .isEqualTo(503);
                },
                broker::start);
    }

    @Test
    @Order(3)
    void databaseStoppedHardAndRestartedAfterTenSeconds() throws Exception {
        row(
                "PostgreSQL immediate stop, restarted after 10 s",
                10,
                Duration.ofSeconds(10),
                database::crash,
                database::start);
    }

    @Test
    @Order(4)
    void databaseDownForLong() throws Exception {
        String length =
                LONG_OUTAGE.toSeconds() % 60 == 0
                        ? LONG_OUTAGE.toMinutes() + " min"
                        : LONG_OUTAGE.toSeconds() + " s";
        row(
                "PostgreSQL down " + length + ", orders arriving",
                2,
                LONG_OUTAGE,
                database::crash,
                database::start);
    }

    @Test
    @Order(5)
    void networkCutBetweenAnInstanceAndTheBroker() throws Exception {
        row(
                "network cut pipeline-1 ↔ broker, 30 s",
                10,
                Duration.ofSeconds(30),
                instances[0].brokerLink::cut,
                instances[0].brokerLink::heal);
    }

    @Test
    @Order(6)
    void halfOpenNetworkBetweenAnInstanceAndTheDatabase() throws Exception {
        row(
                "network blackhole pipeline-1 ↔ database, 30 s",
                10,
                Duration.ofSeconds(30),
                instances[0].databaseLink::blackhole,
                instances[0].databaseLink::heal);
    }

    @Test
    @Order(7)
    void anInstanceKilledMidWriteAndRestarted() throws Exception {
        row(
                "pipeline-1 SIGKILL mid-write, restarted after 5 s",
                10,
                Duration.ofSeconds(5),
                instances[0]::kill,
                instances[0]::start);
    }

    @Test
    @Order(8)
    void anInstanceStoppedWithSigtermUnderLoad() throws Exception {
        row(
                "pipeline-2 SIGTERM under load, restarted",
                10,
                Duration.ofSeconds(2),
                () -> instances[1].terminate(Duration.ofSeconds(45)),
                instances[1]::start);
    }
}
