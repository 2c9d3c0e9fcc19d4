package shop.usb.pipeline.benchmark;

import static shop.usb.pipeline.benchmark.Figures.format;
import static shop.usb.pipeline.support.Orders.order;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.health.BrokerWatch;
import shop.usb.pipeline.ops.HttpGate;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TcpProxy;

/**
 * How soon POST /api/orders answers 503 while the broker is away, through a TCP proxy in front of
 * the embedded broker: a broker cut (connections reset) and a silent one (a half-open network,
 * nothing passes). The first submit right after the fault is the worst case (the product may not
 * know yet); then 20 submits once the broker watch knows. Run: {@code mvn -B test -Pbenchmark};
 * prints a table and writes target/benchmark-broker-away.md.
 */
@Tag("benchmark")
class BrokerAwayBenchmark {

    private static final int SUBMITS = 20;

    @Test
    void run(@TempDir Path root) throws Exception {
        int brokerPort = PipelineRuntime.freePort();
        Figures figures = new Figures();
        try (TcpProxy brokerLink = TcpProxy.to("127.0.0.1", brokerPort);
                PipelineRuntime pipeline =
                        PipelineRuntime.startOnH2(
                                root,
                                Map.of(
                                        "pipeline.broker.port",
                                        String.valueOf(brokerPort),
                                        "pipeline.broker.url",
                                        "tcp://127.0.0.1:" + brokerLink.port()))) {
            measure(figures, pipeline, "cut (connections reset)", brokerLink::cut);
            brokerLink.heal();
            awaitWatch(pipeline, false);
            measure(figures, pipeline, "silent (half-open network)", brokerLink::blackhole);
            brokerLink.heal();
        }
        String report =
                "POST /api/orders while the broker is away, through a TCP proxy\n\n"
                        + figures.table();
        System.out.println("\n" + report);
        Files.writeString(Path.of("target", "benchmark-broker-away.md"), report);
    }

    private static void measure(
            Figures figures, PipelineRuntime pipeline, String fault, Runnable breakIt)
            throws Exception {
        breakIt.run();
        long first = submitMillis(pipeline, "FIRST");
        figures.add(
                "broker " + fault + ": the first submit right after the fault (worst case)",
                format("%d ms", first),
                "",
                "",
                "≤ 5 s",
                first <= 5_000 ? "yes" : "**no**");
        awaitWatch(pipeline, true);
        long[] known = new long[SUBMITS];
        for (int i = 0; i < SUBMITS; i++) {
            known[i] = submitMillis(pipeline, "KNOWN-" + i);
        }
        double p50 = Figures.percentile(known, 50);
        double max = Figures.percentile(known, 100);
        figures.add(
                "broker " + fault + ": " + SUBMITS + " submits once the product knows, p50 / max",
                format("%.0f / %.0f ms", p50, max),
                "",
                "",
                "≤ 1 s",
                max <= 1_000 ? "yes" : "**no**");
    }

    /** Milliseconds to the answer, which must be the broker's 503. */
    private static long submitMillis(PipelineRuntime pipeline, String orderId) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> answer =
                pipeline.http(
                        "POST",
                        "/api/orders",
                        order("AWAY-" + orderId + "-" + System.nanoTime())
                                .file("music/jazz/01-so-what.mp3")
                                .json(),
                        Map.of(HttpGate.INTENT_HEADER, "benchmark"),
                        Duration.ofSeconds(60));
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (answer.statusCode() != 503 || !answer.body().contains("BROKER_UNAVAILABLE")) {
            throw new AssertionError("expected the broker's 503, got " + answer.statusCode());
        }
        return millis;
    }

    private static void awaitWatch(PipelineRuntime pipeline, boolean away) {
        BrokerWatch watch =
                pipeline.context()
                        .getRegistry()
                        .lookupByNameAndType(BrokerWatch.BEAN_NAME, BrokerWatch.class);
        Awaitility.await(away ? "the watch knows the broker is away" : "the watch reconnected")
                .atMost(Duration.ofSeconds(60))
                .until(() -> watch.problem().filter(p -> p.contains("since")).isPresent() == away);
    }
}
