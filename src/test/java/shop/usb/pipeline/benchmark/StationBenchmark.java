package shop.usb.pipeline.benchmark;

import static shop.usb.pipeline.benchmark.Figures.format;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import shop.usb.pipeline.ops.HttpGate;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.ProductProcess;
import shop.usb.pipeline.support.TestDatabase;

/**
 * The station scenario: orders through stick slots (folders standing in for sticks), each order on
 * a stick of its own, with a scripted operator who takes out every DONE stick (a release) as soon
 * as the panel shows it. Measures the time from a slot becoming READY to the write of the order it
 * was kept for starting, and how busy the slots were. Run: {@code mvn -B test -Pbenchmark}; prints
 * a table and writes target/benchmark-station.md.
 */
@Tag("benchmark")
class StationBenchmark {

    static final int ORDERS = Integer.getInteger("benchmark.station-orders", 200);
    static final int SLOTS = 4;
    static final ObjectMapper JSON = new ObjectMapper();

    final Path root = Path.of("target", "benchmark", "station").toAbsolutePath();
    final HttpClient http = HttpClient.newHttpClient();

    /** When the operator saw each slot READY again after a release: slot to times. */
    final Map<String, List<Instant>> readyAt = new ConcurrentHashMap<>();

    @Test
    void run() throws Exception {
        Baselines.shell("rm -rf '" + root + "'");
        for (int f = 0; f < 3; f++) {
            PipelineRuntime.writeRandom(root.resolve("library/small/f" + f + ".bin"), 4096);
        }
        TestDatabase database = TestDatabase.postgres();
        int brokerPort = PipelineRuntime.freePort();
        int httpPort = PipelineRuntime.freePort();
        Map<String, String> properties = new LinkedHashMap<>();
        List<String> slots = new ArrayList<>();
        for (int i = 1; i <= SLOTS; i++) {
            slots.add(Files.createDirectories(root.resolve("usb/slot-" + i)).toString());
        }
        properties.put("pipeline.data.dir", root.resolve("data").toString());
        properties.put("pipeline.content.dir", root.resolve("library").toString());
        properties.put("pipeline.usb.mounts", String.join(",", slots));
        properties.put("pipeline.usb.require-mount", "false");
        properties.put("pipeline.usb.slot-kind", "stick");
        properties.put("pipeline.broker.port", String.valueOf(brokerPort));
        properties.put("camel.server.port", String.valueOf(httpPort));
        properties.put("camel.management.port", String.valueOf(PipelineRuntime.freePort()));
        properties.put("pipeline.db.url", database.url());
        properties.put("pipeline.db.user", database.user());
        properties.put("pipeline.db.password", database.password());
        properties.put("pipeline.instance.id", "station-benchmark");
        Instant start;
        Instant end;
        try (ProductProcess product =
                        ProductProcess.start(
                                List.of("-Xmx256m"), properties, root.resolve("product.log"));
                HikariDataSource jdbc = new HikariDataSource()) {
            jdbc.setJdbcUrl(database.url());
            jdbc.setUsername(database.user());
            jdbc.setPassword(database.password());
            OrderSender sender =
                    new OrderSender(
                            "tcp://127.0.0.1:" + brokerPort,
                            PipelineRuntime.USER,
                            PipelineRuntime.PASSWORD,
                            "orders.confirmed");
            start = Instant.now();
            sender.sendAll(
                    ORDERS,
                    i ->
                            new String[] {
                                "ST-" + i,
                                order("ST-" + i)
                                        .file("small/f0.bin")
                                        .file("small/f1.bin")
                                        .file("small/f2.bin")
                                        .json()
                            });
            List<String> released = operateUntilAllDone(httpPort, new JdbcTemplate(jdbc));
            end = Instant.now();
            report(new JdbcTemplate(jdbc), start, end, released.size());
        }
    }

    /** The operator: looks at the panel's data every 20 ms and takes out every DONE stick. */
    private List<String> operateUntilAllDone(int httpPort, JdbcTemplate sql) {
        List<String> released = new CopyOnWriteArrayList<>();
        Awaitility.await("all station orders to be delivered")
                .atMost(Duration.ofMinutes(30))
                .pollInterval(Duration.ofMillis(20))
                .until(
                        () -> {
                            for (JsonNode slot :
                                    JSON.readTree(send(httpPort, "GET", "/api/slots"))) {
                                if (slot.get("state").asText().equals("DONE")) {
                                    JsonNode after =
                                            JSON.readTree(
                                                    send(
                                                            httpPort,
                                                            "POST",
                                                            "/api/slots/"
                                                                    + slot.get("slot").asText()
                                                                    + "/release"));
                                    released.add(slot.get("orderId").asText());
                                    if (after.get("state").asText().equals("READY")) {
                                        readyAt.computeIfAbsent(
                                                        slot.get("slot").asText(),
                                                        s -> new CopyOnWriteArrayList<>())
                                                .add(Instant.now());
                                    }
                                }
                            }
                            return sql.queryForObject(
                                                    "SELECT COUNT(*) FROM processing_jobs WHERE status = 'COMPLETED'"
                                                            + " AND order_id LIKE 'ST-%'",
                                                    Integer.class)
                                            == ORDERS
                                    && released.size() == ORDERS;
                        });
        return released;
    }

    /**
     * READY to write start per order (after the first fill), and the share of time the slots were
     * writing.
     */
    private void report(JdbcTemplate sql, Instant start, Instant end, int released)
            throws Exception {
        List<Long> latencies = new ArrayList<>();
        Map<String, Long> byOrder = new LinkedHashMap<>();
        long[] busyMillis = {0};
        sql.query(
                "SELECT j.order_id, j.slot, j.completed_at, MIN(l.logged_at) AS writing_at FROM processing_jobs j"
                        + " JOIN processing_job_logs l ON l.job_id = j.id AND l.message LIKE 'Writing %'"
                        + " WHERE j.order_id LIKE 'ST-%' GROUP BY j.id, j.order_id, j.slot, j.completed_at",
                (RowCallbackHandler)
                        rs -> {
                            String orderId = rs.getString("order_id");
                            Instant writing =
                                    rs.getObject("writing_at", OffsetDateTime.class).toInstant();
                            Instant completed =
                                    rs.getObject("completed_at", OffsetDateTime.class).toInstant();
                            busyMillis[0] += Duration.between(writing, completed).toMillis();
                            readyAt.getOrDefault(rs.getString("slot"), List.of()).stream()
                                    .filter(ready -> !ready.isAfter(writing))
                                    .max(Instant::compareTo)
                                    .ifPresent(
                                            ready -> {
                                                latencies.add(
                                                        Duration.between(ready, writing)
                                                                .toMillis());
                                                byOrder.put(
                                                        orderId,
                                                        Duration.between(ready, writing)
                                                                .toMillis());
                                            });
                        });
        long[] values = latencies.stream().mapToLong(Long::longValue).toArray();
        double seconds = Duration.between(start, end).toMillis() / 1000.0;
        Figures figures = new Figures();
        figures.add(
                format(
                        "station: %d orders through %d stick slots, an operator releasing DONE sticks",
                        ORDERS, SLOTS),
                format("%.1f s, %.1f orders/s", seconds, ORDERS / seconds),
                "",
                "",
                "",
                "");
        figures.add(
                format(
                        "READY to write start, p50 / p99 (%d orders after the first fill)",
                        values.length),
                format(
                        "%.0f / %.0f ms",
                        Figures.percentile(values, 50), Figures.percentile(values, 99)),
                "",
                "",
                "p99 ≤ 1 s",
                Figures.percentile(values, 99) <= 1000 ? "yes" : "**no**");
        figures.add(
                "slots busy writing and verifying (share of slot time)",
                format(
                        "%.0f %%",
                        100.0 * busyMillis[0] / (SLOTS * Duration.between(start, end).toMillis())),
                "",
                "",
                "",
                "");
        String slowest =
                byOrder.entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                        .limit(3)
                        .map(e -> e.getKey() + " " + e.getValue() + " ms")
                        .toList()
                        .toString();
        String table =
                format(
                                "Station run: %d releases; slowest READY to write: %s%n%n",
                                released, slowest)
                        + figures.table();
        System.out.println("\n" + table);
        Files.writeString(root.getParent().getParent().resolve("benchmark-station.md"), table);
    }

    private String send(int port, String method, String path) throws Exception {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .header(HttpGate.INTENT_HEADER, "station-benchmark")
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }
}
