package shop.usb.pipeline.benchmark;

import static shop.usb.pipeline.benchmark.Figures.format;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import com.zaxxer.hikari.HikariDataSource;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import shop.usb.pipeline.benchmark.MemoryProbe.Window;
import shop.usb.pipeline.support.Orders;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.ProductProcess;
import shop.usb.pipeline.support.ShopListener;
import shop.usb.pipeline.support.TestDatabase;

/**
 * Throughput, latency and memory of the product on its embedded broker and a real PostgreSQL, each
 * figure next to the raw limit of the part beneath it, measured in the same run on the same
 * machine. Run: {@code mvn -B test -Pbenchmark}. Prints one table and writes it to
 * target/benchmark.md.
 */
@Tag("benchmark")
class PipelineBenchmark {

    static final String ORDERS = "orders.confirmed";
    static final int SMALL_ORDERS = Integer.getInteger("benchmark.small-orders", 5_000);
    static final int WARM_UP_ORDERS = Integer.getInteger("benchmark.warm-up-orders", 3_000);
    static final int SMALL_FILES = 30;
    static final int SMALL_FILE_BYTES = 4 * 1024;
    static final int LARGE_ORDERS = Integer.getInteger("benchmark.large-orders", 20);
    static final int LARGE_FILES = 50;
    static final int LARGE_FILE_BYTES = 8 * 1024 * 1024;
    static final long HUGE_FILE_BYTES =
            Long.getLong("benchmark.huge-bytes", 4L * 1024 * 1024 * 1024);
    static final int IDLE_RUNS = 20;
    static final int MANIFEST_LINES = Integer.getInteger("benchmark.manifest-lines", 100_000);
    static final int MOUNTS = Integer.getInteger("benchmark.mounts", 4);
    static final int WORKERS = Integer.getInteger("benchmark.workers", 4);

    /**
     * -Dbenchmark.profile=true: a JFR recording per product start in target/benchmark/ (no CDS
     * start then).
     */
    static final boolean PROFILE = Boolean.getBoolean("benchmark.profile");

    final Path root = Path.of("target", "benchmark").toAbsolutePath();
    final Figures figures = new Figures();
    final StringBuilder notes = new StringBuilder();
    TestDatabase database;
    HikariDataSource jdbc;
    ProductProcess product;
    int brokerPort;
    MemoryProbe memory;
    RoundTrips roundTrips;

    @Test
    void run() throws Exception {
        prepareFolders();
        database = TestDatabase.postgres();
        jdbc = new HikariDataSource();
        jdbc.setJdbcUrl(database.url());
        jdbc.setUsername(database.user());
        jdbc.setPassword(database.password());
        roundTrips = new RoundTrips(jdbc, database.url());
        try {
            describeMachine();
            StartupTimes plain = startups(List.of());
            figures.add(
                    "startup to ready (median of 3)",
                    format("%.2f s", plain.medianReadySeconds()),
                    "",
                    "",
                    "≤ 2.5 s",
                    verdict(plain.medianReadySeconds() <= 2.5));
            plain.addPhasesTo(figures, "startup");
            // Java 17 crashes (SIGSEGV in check_shared_class_file_load_hook) running JFR on a CDS
            // archive.
            if (!PROFILE) {
                StartupTimes shared = startupsWithClassDataSharing();
                figures.add(
                        "startup to ready with a CDS archive (median of 3)",
                        format("%.2f s", shared.medianReadySeconds()),
                        "",
                        "",
                        "≤ 1.5 s",
                        verdict(shared.medianReadySeconds() <= 1.5));
                shared.addPhasesTo(figures, "startup with CDS");
            }

            long[] idle = idleLatency();
            double idleMedian = Figures.percentile(idle, 50);
            figures.add(
                    "idle latency, median of " + IDLE_RUNS,
                    format("%.0f ms", idleMedian),
                    "",
                    "",
                    "≤ 150 ms",
                    verdict(idleMedian <= 150));

            // The JIT compilers take most of both cores for the first minute or so: measure after
            // it.
            Run warmUp = smallOrders("W-", WARM_UP_ORDERS, 0);
            notes.append(
                    format(
                            "Warm-up: %d small orders at %.0f orders/s while the JIT compiled%n",
                            WARM_UP_ORDERS, warmUp.rate()));
            memory.reset();
            roundTrips.reset();
            Run small = smallOrders("S-", SMALL_ORDERS, 0);
            RoundTrips.Count smallTrips = roundTrips.count();
            notes.append(roundTrips.perJob(SMALL_ORDERS));
            Window smallMemory = memory.read();
            notes.append(whereTimeGoes("S-"));
            // The same orders while a shop listens: each event is then stored for its durable
            // subscription, not only relayed (each order has 3: accepted, processing, completed).
            Run heard;
            long eventsHeard;
            try (ShopListener shop = ShopListener.subscribe(brokerPort, "benchmark-shop")) {
                heard = smallOrders("E-", SMALL_ORDERS, 0);
                Awaitility.await("the shop hears every order complete")
                        .atMost(Duration.ofMinutes(2))
                        .until(
                                () ->
                                        shop.all().stream()
                                                        .filter(
                                                                event ->
                                                                        event.orderId()
                                                                                        .startsWith(
                                                                                                "E-")
                                                                                && event.type()
                                                                                        .endsWith(
                                                                                                ".completed"))
                                                        .count()
                                                >= SMALL_ORDERS);
                eventsHeard =
                        shop.all().stream()
                                .filter(event -> event.orderId().startsWith("E-"))
                                .count();
                // The later runs measure without it: the broker keeps nothing more for it.
                shop.unsubscribe();
            }
            double brokerRate =
                    Baselines.broker(
                            "tcp://127.0.0.1:" + brokerPort,
                            PipelineRuntime.USER,
                            PipelineRuntime.PASSWORD,
                            SMALL_ORDERS);
            Run paced = smallOrders("P-", SMALL_ORDERS / 2, small.rate() / 2);

            memory.reset();
            Run large = largeOrders();
            Window largeMemory = memory.read();

            memory.reset();
            Run huge = hugeFile();
            Window hugeMemory = memory.read();

            memory.reset();
            double[] manifestSeconds = manifest();
            Window manifestMemory = memory.read();
            product.close();

            double dbRate =
                    Baselines.database(jdbc, root.resolve("db-baseline"), SMALL_ORDERS, WORKERS);
            double[] smallIo =
                    Baselines.copyAndHash(
                            smallLibraryFiles(), root.resolve("io-small"), SMALL_ORDERS, MOUNTS);
            long largeBytes = (long) LARGE_FILES * LARGE_FILE_BYTES;
            double largeIo =
                    Baselines.shellCopyAndHash(
                            root.resolve("library/large"),
                            root.resolve("io-large"),
                            LARGE_ORDERS,
                            MOUNTS,
                            largeBytes);
            double hugeIo =
                    Baselines.shellCopyAndHash(
                            root.resolve("library/huge"),
                            root.resolve("io-huge"),
                            1,
                            1,
                            HUGE_FILE_BYTES);

            figures.add(
                    "small orders: " + SMALL_ORDERS + " × 3 files × 4 KB, PostgreSQL",
                    format("%.0f orders/s", small.rate()),
                    format(
                            "broker %.0f, database %.0f, disk %.0f orders/s",
                            brokerRate, dbRate, smallIo[0]),
                    format(
                            "%.2f / %.2f / %.2f",
                            small.rate() / brokerRate,
                            small.rate() / dbRate,
                            small.rate() / smallIo[0]),
                    "≥ 0.6 of the database's",
                    verdict(small.rate() / dbRate >= 0.6));
            figures.add(
                    "database statements per small order (the product's, pg_stat_statements)",
                    format(
                            "%.1f, in %.1f transactions",
                            smallTrips.statementsPerJob(SMALL_ORDERS),
                            smallTrips.transactionsPerJob(SMALL_ORDERS)),
                    "",
                    "",
                    "≤ 8 round trips",
                    verdict(smallTrips.statementsPerJob(SMALL_ORDERS) <= 8));
            figures.add("latency at full rate p50 / p95 / p99", small.latencies(), "", "", "", "");
            figures.add(
                    format(
                            "small orders with a shop subscribed to their status events (%d heard)",
                            eventsHeard),
                    format("%.0f orders/s", heard.rate()),
                    format("no subscriber %.0f orders/s", small.rate()),
                    format("%.2f", heard.rate() / small.rate()),
                    "≥ 0.90",
                    verdict(heard.rate() / small.rate() >= 0.9));
            figures.add(
                    format(
                            "latency at half that rate (%.0f orders/s sent) p50 / p95 / p99",
                            paced.sentPerSecond()),
                    paced.latencies(),
                    "",
                    "",
                    "p99 ≤ 1 s",
                    verdict(paced.p99() <= 1000));
            figures.add(
                    "large orders: " + LARGE_ORDERS + " × 50 files × 8 MB, written and verified",
                    format("%.0f MB/s", large.megabytesPerSecond()),
                    format("cp + sync + sha256sum %.0f MB/s", largeIo),
                    format("%.2f", large.megabytesPerSecond() / largeIo),
                    "≥ 0.80 of baseline",
                    verdict(large.megabytesPerSecond() / largeIo >= 0.8));
            figures.add(
                    "one 4 GiB file, -Xmx256m",
                    format("%.1f s, %.0f MB/s", huge.seconds(), huge.megabytesPerSecond()),
                    format("cp + sync + sha256sum %.0f MB/s", hugeIo),
                    format("%.2f", huge.megabytesPerSecond() / hugeIo),
                    "",
                    "");
            figures.add(
                    format(
                            "manifest of %,d CSV lines read and recorded as jobs, -Xmx256m",
                            MANIFEST_LINES),
                    format(
                            "%.1f s, %.0f lines/s (from the drop: %.1f s to the report, %.1f s"
                                    + " until every order has its job)",
                            manifestSeconds[0],
                            MANIFEST_LINES / manifestSeconds[0],
                            manifestSeconds[1],
                            manifestSeconds[2]),
                    "",
                    "",
                    "≥ 10,000 lines/s",
                    verdict(MANIFEST_LINES / manifestSeconds[0] >= 10_000));
            Map<String, Window> windows = new LinkedHashMap<>();
            windows.put("small orders", smallMemory);
            windows.put("large orders", largeMemory);
            windows.put("4 GiB file", hugeMemory);
            windows.put("the manifest", manifestMemory);
            for (Map.Entry<String, Window> window : windows.entrySet()) {
                Window w = window.getValue();
                String heap =
                        w.collections() == 0 ? "no GC in the window" : w.peakHeapMib() + " MiB";
                figures.add(
                        "memory during " + window.getKey() + ": peak heap / peak RSS",
                        format("%s / %d MiB", heap, w.peakRssMib()),
                        "-Xmx256m",
                        "",
                        "heap ≤ 256 MB",
                        verdict(w.peakHeapMib() <= 256) + format(" (%d GCs)", w.collections()));
            }
        } finally {
            if (product != null) {
                product.close();
            }
            jdbc.close();
            removeBulk();
        }
        String report = notes + "\n" + figures.table();
        System.out.println("\n" + report);
        Files.writeString(root.resolveSibling("benchmark.md"), report);
    }

    private void describeMachine() {
        List<String> settings = new ArrayList<>();
        for (String name :
                List.of("server_version", "fsync", "synchronous_commit", "shared_buffers")) {
            settings.add(name + "=" + sql().queryForObject("SHOW " + name, String.class));
        }
        notes.append(
                format(
                        "Run %s on %d cores, %d MiB RAM, Java %s; PostgreSQL (embedded binaries) %s%n",
                        Instant.now(),
                        Runtime.getRuntime().availableProcessors(),
                        ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                                        .getTotalMemorySize()
                                / 1024
                                / 1024,
                        System.getProperty("java.version"),
                        settings));
    }

    // ---- scenarios ------------------------------------------------------------------------------

    /**
     * Three starts to a 200 from /api/queue, each with the phases it logged; the product is left
     * running after the last.
     */
    private StartupTimes startups(List<String> extraJvmOptions) throws Exception {
        StartupTimes times = new StartupTimes();
        for (int i = 0; i < 3; i++) {
            if (product != null) {
                product.close();
            }
            long start = System.nanoTime();
            startProduct(extraJvmOptions);
            times.add((System.nanoTime() - start) / 1_000_000, productLog());
        }
        notes.append(
                format(
                        "Starts to a 200 from /api/queue%s: %s ms%n",
                        extraJvmOptions.isEmpty() ? "" : " with " + extraJvmOptions,
                        times.readyMillis()));
        return times;
    }

    /**
     * The same, with a class data sharing archive written by one training start (as
     * docker/Dockerfile does).
     */
    private StartupTimes startupsWithClassDataSharing() throws Exception {
        Path archive = root.resolve("app-cds.jsa");
        product.close();
        startProduct(List.of("-XX:ArchiveClassesAtExit=" + archive));
        sender().sendAll(1, n -> new String[] {"CDS-0", smallOrder("CDS-0", 0)});
        awaitFinished("CDS-0", 1);
        product.close();
        product = null;
        return startups(List.of("-XX:SharedArchiveFile=" + archive));
    }

    private long[] idleLatency() throws Exception {
        OrderSender sender = sender();
        long[] latencies = new long[IDLE_RUNS];
        for (int i = 0; i < IDLE_RUNS; i++) {
            String orderId = "I-" + i;
            int files = i;
            sender.sendAll(1, n -> new String[] {orderId, smallOrder(orderId, files)});
            awaitFinished(orderId, 1);
            latencies[i] =
                    Duration.between(
                                    sender.sentAt().get(orderId), completedAt(orderId).get(orderId))
                            .toMillis();
        }
        notes.append(format("Idle latencies (ms): %s%n", Arrays.toString(latencies)));
        return latencies;
    }

    /**
     * Sends {@code count} small orders, all at once ({@code perSecond} 0) or paced, and waits for
     * all.
     */
    private Run smallOrders(String prefix, int count, double perSecond) throws Exception {
        OrderSender sender = sender();
        if (perSecond > 0) {
            sender.sendPaced(
                    count, perSecond, i -> new String[] {prefix + i, smallOrder(prefix + i, i)});
        } else {
            sender.sendAll(count, i -> new String[] {prefix + i, smallOrder(prefix + i, i)});
        }
        awaitFinished(prefix, count);
        return Run.of(
                sender.sentAt(), completedAt(prefix), count * 3L * SMALL_FILE_BYTES, perSecond);
    }

    private Run largeOrders() throws Exception {
        OrderSender sender = sender();
        sender.sendAll(
                LARGE_ORDERS,
                i -> new String[] {"L-" + i, order("L-" + i).collection("large").json()});
        awaitFinished("L-", LARGE_ORDERS);
        return Run.of(
                sender.sentAt(),
                completedAt("L-"),
                (long) LARGE_ORDERS * LARGE_FILES * LARGE_FILE_BYTES,
                0);
    }

    private Run hugeFile() throws Exception {
        OrderSender sender = sender();
        sender.sendAll(1, i -> new String[] {"H-0", order("H-0").file("huge/one.bin").json()});
        awaitFinished("H-", 1);
        return Run.of(sender.sentAt(), completedAt("H-"), HUGE_FILE_BYTES, 0);
    }

    /**
     * A manifest of MANIFEST_LINES orders: seconds from the intake's claim of the file to its
     * report (the report's own receivedAt and finishedAt), and from the drop to the report (with
     * the wait for a file that holds still, pipeline.manifest.stable-for, and the inbox's poll),
     * and from the drop until every order has its job (its receipt). The jobs it creates start
     * running meanwhile, as they would in production.
     */
    private double[] manifest() throws Exception {
        Path inbox = root.resolve("data/inbox");
        Files.createDirectories(inbox);
        Path part = inbox.resolve(".manifest.csv.part");
        try (BufferedWriter out = Files.newBufferedWriter(part)) {
            out.write("orderId,confirmedAt,priority,capacityBytes,label,content\n");
            for (int i = 0; i < MANIFEST_LINES; i++) {
                out.write(
                        "M-"
                                + i
                                + ",2026-11-22T10:00:00Z,normal,16000000000,Label "
                                + i
                                + ",file:small/f00.bin|file:small/f01.bin|file:small/f02.bin\n");
            }
        }
        long start = System.nanoTime();
        Files.move(part, inbox.resolve("manifest.csv"));
        Path report = inbox.resolve("done/manifest.csv.report.json");
        Awaitility.await("the manifest's report")
                .atMost(Duration.ofMinutes(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> Files.exists(report));
        double dropToReport = (System.nanoTime() - start) / 1e9;
        JdbcTemplate sql = new JdbcTemplate(jdbc);
        Awaitility.await("a job for each of the manifest's orders")
                .atMost(Duration.ofMinutes(30))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () ->
                                sql.queryForObject(
                                                "SELECT COUNT(*) FROM order_receipts"
                                                        + " WHERE order_id LIKE 'M-%'",
                                                Long.class)
                                        >= MANIFEST_LINES);
        double dropToJobs = (System.nanoTime() - start) / 1e9;
        JsonNode read = new ObjectMapper().readTree(report.toFile());
        double reading =
                Duration.between(
                                        Instant.parse(read.get("receivedAt").asText()),
                                        Instant.parse(read.get("finishedAt").asText()))
                                .toMillis()
                        / 1000.0;
        return new double[] {reading, dropToReport, dropToJobs};
    }

    private String smallOrder(String orderId, int i) {
        Orders order = order(orderId);
        for (int f = 0; f < 3; f++) {
            order.file(format("small/f%02d.bin", (3 * i + f) % SMALL_FILES));
        }
        return order.json();
    }

    // ---- the product and its data ---------------------------------------------------------------

    private void startProduct(List<String> extraJvmOptions) throws Exception {
        brokerPort = PipelineRuntime.freePort();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("pipeline.data.dir", root.resolve("data").toString());
        properties.put("pipeline.content.dir", root.resolve("library").toString());
        List<String> mounts = new ArrayList<>();
        for (int i = 1; i <= MOUNTS; i++) {
            mounts.add(root.resolve("usb/slot-" + i).toString());
        }
        properties.put("pipeline.usb.mounts", String.join(",", mounts));
        properties.put("pipeline.usb.require-mount", "false");
        // Small orders measure the software's overhead, on folder slots.
        properties.put("pipeline.usb.slot-kind", "folder");
        properties.put("pipeline.broker.port", String.valueOf(brokerPort));
        properties.put("camel.server.port", String.valueOf(PipelineRuntime.freePort()));
        properties.put("camel.management.port", String.valueOf(PipelineRuntime.freePort()));
        properties.put("pipeline.db.url", roundTrips.productUrl());
        properties.put("pipeline.db.user", RoundTrips.PRODUCT_ROLE);
        properties.put("pipeline.db.password", RoundTrips.PRODUCT_PASSWORD);
        properties.put("pipeline.workers", String.valueOf(WORKERS));
        properties.put(
                "pipeline.intake.consumers", System.getProperty("benchmark.intake-consumers", "2"));
        properties.put("pipeline.instance.id", "benchmark");
        Path gcLog = root.resolve("gc.log");
        Files.deleteIfExists(gcLog);
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m", "-Xlog:gc:file=" + gcLog));
        jvm.addAll(extraJvmOptions);
        if (PROFILE) {
            jvm.add(
                    "-XX:StartFlightRecording=filename="
                            + root.resolve("product-" + System.nanoTime() + ".jfr")
                            + ",settings=profile");
        }
        product = ProductProcess.start(jvm, properties, productLog());
        memory = new MemoryProbe(product.pid(), gcLog);
    }

    private Path productLog() {
        return root.resolve("product.log");
    }

    private OrderSender sender() {
        return new OrderSender(
                "tcp://127.0.0.1:" + brokerPort,
                PipelineRuntime.USER,
                PipelineRuntime.PASSWORD,
                ORDERS);
    }

    private void awaitFinished(String prefix, int count) {
        // Polling costs the database a query: often for one order, where the latency comes from the
        // job's own timestamps anyway, rarely for thousands.
        Duration poll = Duration.ofMillis(count == 1 ? 5 : 200);
        Awaitility.await(count + " jobs " + prefix + "* to finish")
                .atMost(Duration.ofMinutes(30))
                .pollInterval(poll)
                .until(
                        () -> {
                            Map<String, Long> byStatus = statusCounts(prefix);
                            if (byStatus.getOrDefault("FAILED", 0L) > 0) {
                                throw new IllegalStateException(
                                        "Jobs " + prefix + "* failed: " + byStatus);
                            }
                            return byStatus.getOrDefault("COMPLETED", 0L) == count;
                        });
    }

    private Map<String, Long> statusCounts(String prefix) {
        Map<String, Long> counts = new LinkedHashMap<>();
        sql().query(
                        "SELECT status, COUNT(*) FROM processing_jobs WHERE order_id LIKE ? GROUP BY status",
                        (RowCallbackHandler) rs -> counts.put(rs.getString(1), rs.getLong(2)),
                        prefix + "%");
        return counts;
    }

    private JdbcTemplate sql() {
        return new JdbcTemplate(jdbc);
    }

    /**
     * Per job: time queued before a worker claimed it, and time from each log line to the next, by
     * stage.
     */
    private String whereTimeGoes(String prefix) {
        String sql =
                """
                SELECT AVG(EXTRACT(EPOCH FROM (j.started_at - j.created_at)) * 1000) AS queued_ms,
                       AVG(j.duration_ms) AS run_ms FROM processing_jobs j WHERE j.order_id LIKE ?""";
        String steps =
                """
                SELECT l.stage, AVG(EXTRACT(EPOCH FROM (l.logged_at - p.logged_at)) * 1000) AS ms, COUNT(*) AS n
                  FROM processing_job_logs l
                  JOIN processing_job_logs p ON p.job_id = l.job_id
                   AND p.id = (SELECT MAX(id) FROM processing_job_logs q WHERE q.job_id = l.job_id AND q.id < l.id)
                  JOIN processing_jobs j ON j.id = l.job_id
                 WHERE j.order_id LIKE ? GROUP BY l.stage ORDER BY ms DESC""";
        StringBuilder out = new StringBuilder("Where the time of jobs " + prefix + "* went:");
        sql().query(
                        sql,
                        (RowCallbackHandler)
                                rs ->
                                        out.append(
                                                format(
                                                        " queued %.0f ms, running %.0f ms on average;",
                                                        rs.getDouble(1), rs.getDouble(2))),
                        prefix + "%");
        sql().query(
                        steps,
                        (RowCallbackHandler)
                                rs ->
                                        out.append(
                                                format(
                                                        " to a %s line %.1f ms,",
                                                        rs.getString(1), rs.getDouble(2))),
                        prefix + "%");
        return out.append('\n').toString();
    }

    private Map<String, Instant> completedAt(String prefix) {
        Map<String, Instant> completed = new LinkedHashMap<>();
        sql().query(
                        "SELECT order_id, completed_at FROM processing_jobs WHERE order_id LIKE ?",
                        (RowCallbackHandler)
                                rs ->
                                        completed.put(
                                                rs.getString(1),
                                                rs.getObject(2, OffsetDateTime.class).toInstant()),
                        prefix + "%");
        return completed;
    }

    /**
     * The libraries and written orders (about 29 GB) go once measured; the logs and recordings
     * stay. Left behind, they pushed a disk past the 90 % at which Artemis blocks producers.
     */
    private void removeBulk() throws Exception {
        for (String bulk : List.of("library", "usb", "data", "io-small", "io-large", "io-huge")) {
            Baselines.shell("rm -rf '" + root.resolve(bulk) + "'");
        }
    }

    private void prepareFolders() throws Exception {
        if (Files.exists(root)) {
            Baselines.shell("rm -rf '" + root + "'");
        }
        for (int i = 1; i <= MOUNTS; i++) {
            Files.createDirectories(root.resolve("usb/slot-" + i));
        }
        for (int i = 0; i < SMALL_FILES; i++) {
            writeRandom(root.resolve(format("library/small/f%02d.bin", i)), SMALL_FILE_BYTES);
        }
        for (int i = 0; i < LARGE_FILES; i++) {
            writeRandom(root.resolve(format("library/large/f%02d.bin", i)), LARGE_FILE_BYTES);
        }
        writeRandom(root.resolve("library/huge/one.bin"), HUGE_FILE_BYTES);
    }

    private List<Path> smallLibraryFiles() {
        List<Path> files = new ArrayList<>();
        for (int f = 0; f < 3; f++) {
            files.add(root.resolve(format("library/small/f%02d.bin", f)));
        }
        return files;
    }

    private static void writeRandom(Path file, long size) throws IOException {
        Files.createDirectories(file.getParent());
        Random random = new Random(file.toString().hashCode());
        byte[] block = new byte[(int) Math.min(size, 1 << 20)];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, size - written));
            }
        }
    }

    private static String verdict(boolean met) {
        return met ? "yes" : "**no**";
    }

    /** One scenario's outcome: when each order was sent and completed. */
    record Run(
            double rate,
            double seconds,
            double megabytesPerSecond,
            long[] latencyMillis,
            double sentPerSecond) {

        static Run of(
                Map<String, Instant> sent,
                Map<String, Instant> completed,
                long bytes,
                double sentPerSecond) {
            Instant first = sent.values().stream().min(Instant::compareTo).orElseThrow();
            Instant last = completed.values().stream().max(Instant::compareTo).orElseThrow();
            double seconds = Duration.between(first, last).toNanos() / 1e9;
            long[] latencies =
                    sent.entrySet().stream()
                            .mapToLong(
                                    e ->
                                            Duration.between(
                                                            e.getValue(), completed.get(e.getKey()))
                                                    .toMillis())
                            .toArray();
            return new Run(
                    sent.size() / seconds,
                    seconds,
                    bytes / 1e6 / seconds,
                    latencies,
                    sentPerSecond);
        }

        double p99() {
            return Figures.percentile(latencyMillis, 99);
        }

        String latencies() {
            return format(
                    "%.0f / %.0f / %.0f ms",
                    Figures.percentile(latencyMillis, 50),
                    Figures.percentile(latencyMillis, 95),
                    p99());
        }
    }
}
