package shop.usb.pipeline.benchmark;

import static shop.usb.pipeline.benchmark.Figures.format;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.support.LoopStick;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.PortStick;
import shop.usb.pipeline.support.ProductProcess;
import shop.usb.pipeline.support.TestDatabase;

/**
 * The station's physical throughput: {@value #PORTS} ports whose sticks (ext4 on loop devices with
 * an MBR, plugged in as the ports' links) are throttled to a real stick's speed with the cgroup
 * blkio controller, {@value #WRITE_BPS} bytes/s written and {@value #READ_BPS} read. Orders of
 * {@value #ORDER_BYTES} bytes, each taking tens of seconds; a scripted operator pulls every DONE
 * (ejected) stick and plugs in the next blank one. Reports the bytes delivered per second,
 * verification included, divided by the sum of the sticks' write speeds; a stick that writes its
 * order and then reads it back can reach at most 1 / (1 + write / read) of its write speed.
 */
@Tag("benchmark")
class PortThroughputBenchmark {

    static final int PORTS = 4;
    static final int ORDERS = Integer.getInteger("benchmark.port-orders", 8);
    static final long WRITE_BPS = 20_000_000;
    static final long READ_BPS = 60_000_000;
    static final int ORDER_BYTES = 400_000_000;
    static final long STICK_BYTES = 512L * 1024 * 1024;
    static final Path THROTTLE = Path.of("/sys/fs/cgroup/blkio");
    static final ObjectMapper JSON = new ObjectMapper();

    final Path root = Path.of("target", "benchmark", "ports").toAbsolutePath();

    @Test
    void run() throws Exception {
        PortStick.requireTools("ext4");
        Baselines.shell("rm -rf '" + root + "'");
        PipelineRuntime.writeRandom(root.resolve("library/large/order.bin"), ORDER_BYTES);
        Deque<PortStick> blank = new ArrayDeque<>();
        List<PortStick> all = new ArrayList<>();
        List<String> throttled = new ArrayList<>();
        try {
            for (int i = 0; i < ORDERS; i++) {
                PortStick stick =
                        PortStick.withPartition(
                                root.resolve("images/" + i + ".img"), STICK_BYTES, "ext4", "");
                throttled.add(throttle(stick.disk(), WRITE_BPS, READ_BPS));
                blank.add(stick);
                all.add(stick);
            }
            measure(blank);
        } finally {
            // A loop device's limits outlive its detach: lifted, or the next user of it is slow.
            for (String numbers : throttled) {
                throttle(numbers, 0, 0);
            }
            for (PortStick stick : all) {
                stick.close();
            }
            Baselines.shell("rm -rf '" + root + "/images' '" + root + "/library'");
        }
    }

    private void measure(Deque<PortStick> blank) throws Exception {
        TestDatabase database = TestDatabase.postgres();
        Map<String, String> properties = new LinkedHashMap<>(PortStick.TEST_MOUNTS);
        List<String> ports = new ArrayList<>();
        for (int port = 1; port <= PORTS; port++) {
            ports.add("slot-" + port + "=" + link(port));
        }
        properties.put("pipeline.data.dir", root.resolve("data").toString());
        properties.put("pipeline.content.dir", root.resolve("library").toString());
        properties.put("pipeline.usb.mounts", "");
        properties.put("pipeline.usb.ports", String.join(",", ports));
        properties.put("pipeline.usb.mount-root", root.resolve("slots").toString());
        properties.put("pipeline.usb.slot-kind", "stick");
        properties.put("pipeline.usb.require-mount", "true");
        properties.put("pipeline.usb.eject", "true");
        properties.put("pipeline.usb.scan-interval", "100ms");
        properties.put("pipeline.workers", String.valueOf(PORTS));
        properties.put("pipeline.broker.port", String.valueOf(PipelineRuntime.freePort()));
        properties.put("camel.server.port", String.valueOf(PipelineRuntime.freePort()));
        properties.put("camel.management.port", String.valueOf(PipelineRuntime.freePort()));
        properties.put("pipeline.db.url", database.url());
        properties.put("pipeline.db.user", database.user());
        properties.put("pipeline.db.password", database.password());
        properties.put("pipeline.instance.id", "port-benchmark");
        Map<Integer, PortStick> plugged = new LinkedHashMap<>();
        for (int port = 1; port <= PORTS && !blank.isEmpty(); port++) {
            plugged.put(port, blank.poll().plugInto(link(port)));
        }
        try (ProductProcess product =
                        ProductProcess.start(
                                List.of("-Xmx256m"), properties, root.resolve("product.log"));
                HikariDataSource jdbc = new HikariDataSource()) {
            jdbc.setJdbcUrl(database.url());
            jdbc.setUsername(database.user());
            jdbc.setPassword(database.password());
            JdbcTemplate sql = new JdbcTemplate(jdbc);
            Instant start = Instant.now();
            for (int i = 0; i < ORDERS; i++) {
                String orderId = "PT-" + i;
                product.post(
                        "/api/orders",
                        order(orderId).capacity(STICK_BYTES).file("large/order.bin").json());
            }
            Set<String> pulled = new HashSet<>();
            Awaitility.await("every order delivered")
                    .atMost(Duration.ofMinutes(30))
                    .pollInterval(Duration.ofMillis(50))
                    .until(
                            () -> {
                                swapDoneSticks(product, plugged, blank, pulled);
                                return delivered(sql) == ORDERS;
                            });
            Instant end = Instant.now();
            report(start, end, pulled.size());
        }
    }

    /**
     * The operator: a DONE stick (ejected) is pulled, once, and the next blank one plugged in. The
     * panel may show the pulled stick DONE a moment longer: its id says which one it is.
     */
    private void swapDoneSticks(
            ProductProcess product,
            Map<Integer, PortStick> plugged,
            Deque<PortStick> blank,
            Set<String> pulled)
            throws Exception {
        for (JsonNode slot : JSON.readTree(product.get("/api/slots").body())) {
            int port = Integer.parseInt(slot.get("slot").asText().substring("slot-".length()));
            if (slot.get("state").asText().equals("DONE")
                    && pulled.add(slot.get("stick").get("id").asText())) {
                Files.deleteIfExists(link(port));
                plugged.remove(port);
                if (!blank.isEmpty()) {
                    plugged.put(port, blank.poll().plugInto(link(port)));
                }
            }
        }
    }

    private static int delivered(JdbcTemplate sql) {
        return sql.queryForObject(
                "SELECT COUNT(*) FROM processing_jobs WHERE status = 'COMPLETED' AND order_id LIKE 'PT-%'",
                Integer.class);
    }

    private void report(Instant start, Instant end, int swaps) throws Exception {
        double seconds = Duration.between(start, end).toMillis() / 1000.0;
        double deliveredPerSecond = (double) ORDERS * ORDER_BYTES / seconds;
        double efficiency = deliveredPerSecond / (PORTS * WRITE_BPS);
        double ceiling = 1 / (1 + (double) WRITE_BPS / READ_BPS);
        Figures figures = new Figures();
        figures.add(
                format(
                        "ports: %d orders of %d MB through %d ports (sticks at %d MB/s write, %d MB/s"
                                + " read), %d swaps",
                        ORDERS,
                        ORDER_BYTES / 1_000_000,
                        PORTS,
                        WRITE_BPS / 1_000_000,
                        READ_BPS / 1_000_000,
                        swaps),
                format("%.1f s, %.1f MB/s delivered", seconds, deliveredPerSecond / 1e6),
                "",
                "",
                "",
                "");
        figures.add(
                "station efficiency: delivered bytes/s (verification included) / sum of write speeds",
                format("%.2f", efficiency),
                format("%.2f (write, then read back, at the sticks' speeds)", ceiling),
                format("%.2f", efficiency / ceiling),
                "≥ 0.85",
                efficiency >= 0.85 ? "yes" : "**no**");
        String table = figures.table();
        System.out.println("\n" + table);
        Files.writeString(root.getParent().getParent().resolve("benchmark-ports.md"), table);
    }

    private Path link(int port) {
        return root.resolve("ports/port-" + port);
    }

    /** The stick's speed: blkio limits on its disk (0: none); returns its numbers. */
    private static String throttle(String disk, long writeBps, long readBps) throws Exception {
        String numbers =
                disk.startsWith("/")
                        ? LoopStick.run(
                                        "lsblk",
                                        "--nodeps",
                                        "--noheadings",
                                        "--output",
                                        "MAJ:MIN",
                                        disk)
                                .trim()
                        : disk;
        LoopStick.throttle(numbers, writeBps);
        Files.writeString(
                THROTTLE.resolve("blkio.throttle.read_bps_device"),
                numbers + " " + readBps,
                StandardCharsets.US_ASCII);
        return numbers;
    }
}
