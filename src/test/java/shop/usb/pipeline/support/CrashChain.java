package shop.usb.pipeline.support;

import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.crash.CrashPoints;
import shop.usb.pipeline.device.Slot;
import shop.usb.pipeline.device.SlotKind;
import shop.usb.pipeline.device.SlotProbe;

/**
 * One column of the crash-point matrix: the product on one database and one slot (an ext4 stick on
 * a loop device, or a folder), halted at each row's step in turn and started again on the same
 * data; each restart's run is checked before the next row's order is sent.
 */
public final class CrashChain implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CrashChain.class);

    /**
     * A step to halt at, with the faults and settings its run needs, and how it is reached; {@code
     * recoveredAtStartup}: the restart's own recovery must take the order's job back (it was
     * PROCESSING when the product halted).
     */
    public record Row(
            String halt,
            String faults,
            Map<String, String> settings,
            boolean atRecoveryOfTheRowBefore,
            boolean afterADeadLease,
            boolean recoveredAtStartup) {

        /** A run of the row's own order halts at the step. */
        public static Row run(String halt) {
            return new Row(halt, "", Map.of(), false, false, true);
        }

        public static Row run(String halt, String faults) {
            return new Row(halt, faults, Map.of(), false, false, true);
        }

        /** The run's job had left PROCESSING (delivered, or ended) when the product halted. */
        public static Row ended(String halt, String faults, Map<String, String> settings) {
            return new Row(halt, faults, settings, false, false, false);
        }

        /** The start that recovers the row before's order halts at the step. */
        public static Row atRecoveryOfTheRowBefore(String halt) {
            return new Row(halt, "", Map.of(), true, false, true);
        }

        /** A dead run's lease waits on the slot; the row's run takes the slot over. */
        public static Row afterADeadLease(String halt) {
            return new Row(halt, "", Map.of(), false, true, true);
        }
    }

    /** What one row found: nothing wrong, or each problem. */
    public record Outcome(String chain, String step, List<String> problems, String summary) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INSTANCE = "crash-matrix";
    private static final int STICK_MIB = 96;

    /** The steps of a staged order's publish, which a stick's run never passes. */
    private static final Set<String> PUBLISH_STEPS =
            Set.of("run:publish-recorded", "run:published");

    private final String name;
    private final Path dir;
    private final TestDatabase database;
    private final boolean stick;
    private final Path slot;
    private final Map<String, String> properties = new HashMap<>();
    private final Set<String> delivered = new LinkedHashSet<>();
    private ProductProcess product;
    private LoopStick loopStick;
    private int sticks;

    public CrashChain(String name, Path dir, TestDatabase database, boolean stick) {
        this.name = name;
        this.dir = dir;
        this.database = database;
        this.stick = stick;
        this.slot = dir.resolve("usb/slot-1");
    }

    public String name() {
        return name;
    }

    /** Halts at each row's step in turn; an outcome per row. */
    public List<Outcome> run(List<Row> rows) throws Exception {
        prepare();
        List<List<String>> problems = new ArrayList<>();
        List<String> summaries = new ArrayList<>();
        rows.forEach(row -> problems.add(new ArrayList<>()));
        rows.forEach(row -> summaries.add(""));
        String pending = null;
        List<Integer> pendingRows = new ArrayList<>();
        try {
            for (int i = 0; i < rows.size(); i++) {
                Row row = rows.get(i);
                if (stick && PUBLISH_STEPS.contains(row.halt())) {
                    summaries.set(i, "n/a: a stick's order is written in place, never renamed");
                    continue;
                }
                if (row.atRecoveryOfTheRowBefore()) {
                    launch(row.halt() + "@" + pending, "", row.settings());
                    expectHalt(problems.get(i), row.halt());
                    pendingRows.add(i);
                    continue;
                }
                String orderId = "CRASH-" + (i + 1);
                String deadOrder = "DEAD-" + (i + 1);
                launch(
                        row.halt() + "@" + (row.afterADeadLease() ? deadOrder : orderId),
                        scoped(row.faults(), orderId),
                        row.settings());
                product.awaitReady();
                if (pending != null) {
                    record(
                            verify(pending, rows.get(pendingRows.get(0))),
                            pendingRows,
                            problems,
                            summaries);
                }
                readyForTheNextOrder();
                if (row.afterADeadLease()) {
                    leaveADeadLease(deadOrder);
                }
                product.post(
                        "/api/orders",
                        order(orderId).collection("crash").capacity(100_000_000L).json());
                expectHalt(problems.get(i), row.halt());
                pending = orderId;
                pendingRows = new ArrayList<>(List.of(i));
            }
            launch("", "", Map.of());
            product.awaitReady();
            record(verify(pending, rows.get(pendingRows.get(0))), pendingRows, problems, summaries);
        } catch (Exception | AssertionError stopped) {
            for (int i = 0; i < rows.size(); i++) {
                if (problems.get(i).isEmpty() && summaries.get(i).isEmpty()) {
                    problems.get(i).add("not reached: the chain stopped with " + stopped);
                }
            }
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            outcomes.add(new Outcome(name, rows.get(i).halt(), problems.get(i), summaries.get(i)));
        }
        return outcomes;
    }

    /** A library collection "crash" of three files, the slot, free ports. */
    private void prepare() throws IOException {
        for (int i = 1; i <= 3; i++) {
            PipelineRuntime.writeRandom(
                    dir.resolve("library/crash/part-" + i + ".bin"), 200_000 + i);
        }
        if (stick) {
            plugANewStick();
        } else {
            Files.createDirectories(slot);
        }
        properties.put("pipeline.data.dir", dir.resolve("data").toString());
        properties.put("pipeline.content.dir", dir.resolve("library").toString());
        properties.put("pipeline.demo.enabled", "false");
        properties.put("pipeline.usb.mounts", slot.toString());
        properties.put("pipeline.usb.require-mount", String.valueOf(stick));
        properties.put("pipeline.usb.slot-kind", stick ? "stick" : "folder");
        // The test reads and writes H2 beside the running product through H2's automatic server,
        // which cannot go with DB_CLOSE_ON_EXIT=FALSE (that only matters to a graceful stop).
        properties.put(
                "pipeline.db.url",
                database.url().replace("DB_CLOSE_ON_EXIT=FALSE", "AUTO_SERVER=TRUE"));
        properties.put("pipeline.db.user", database.user());
        properties.put("pipeline.db.password", database.password());
        properties.put("pipeline.broker.port", String.valueOf(PipelineRuntime.freePort()));
        properties.put("camel.server.port", String.valueOf(PipelineRuntime.freePort()));
        properties.put("camel.management.port", String.valueOf(PipelineRuntime.freePort()));
        properties.put("pipeline.instance.id", INSTANCE);
        properties.put("pipeline.retry.max-attempts", "20");
        properties.put("pipeline.retry.delays", "200ms");
        properties.put("pipeline.progress.interval", "100ms");
    }

    private void launch(String halt, String faults, Map<String, String> settings)
            throws IOException {
        Map<String, String> run = new HashMap<>(properties);
        run.putAll(settings);
        run.put("pipeline.test.crash-point", halt);
        run.put("pipeline.test.fault-point", faults);
        product =
                ProductProcess.launch(
                        List.of(),
                        List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"),
                        run,
                        Map.of(),
                        Path.of("target", "crash-matrix-" + name + ".log"));
    }

    private void expectHalt(List<String> problems, String step) throws InterruptedException {
        int status;
        try {
            status = product.awaitExit(Duration.ofSeconds(90));
        } catch (IllegalStateException stillRunning) {
            problems.add("never halted at " + step + ": the product still ran after 90 s");
            product.kill();
            return;
        }
        if (status != CrashPoints.HALT_STATUS) {
            problems.add("the product ended with " + status + " instead of halting at " + step);
        }
    }

    /**
     * The order's job is COMPLETED once and its folder checks out; the slot holds it (a stick:
     * nothing else) and no staging folder or folder of a dead run; no lease is left, since no run
     * is alive.
     */
    private Outcome verify(String orderId, Row halted) throws Exception {
        List<String> problems = new ArrayList<>();
        JsonNode job;
        try {
            job =
                    Awaitility.await(orderId + " to complete")
                            .atMost(Duration.ofSeconds(90))
                            .pollInterval(Duration.ofMillis(100))
                            .ignoreExceptions()
                            .until(
                                    () -> jobOf(orderId),
                                    found -> "COMPLETED".equals(found.path("status").asText()));
        } catch (ConditionTimeoutException e) {
            problems.add(
                    "not COMPLETED: "
                            + jobOf(orderId).path("status").asText()
                            + " after "
                            + jobOf(orderId).path("attempts").asInt()
                            + " attempts, "
                            + jobOf(orderId).path("errorMessage").asText()
                            + jobOf(orderId).path("waitingFor").asText());
            LOG.warn(
                    "{} {} not COMPLETED; its log: {}",
                    name,
                    orderId,
                    product.get("/api/jobs/" + jobOf(orderId).path("id").asText() + "/logs")
                            .body());
            return new Outcome(name, orderId, problems, "");
        }
        int jobs =
                JSON.readTree(product.get("/api/jobs?orderId=" + orderId).body())
                        .path("jobs")
                        .size();
        if (jobs != 1) {
            problems.add(jobs + " jobs for the order");
        }
        Path folder = slot.resolve(orderId);
        if (!Files.isDirectory(folder) || PipelineRuntime.sha256sumCheck(folder) != 0) {
            problems.add("sha256sum -c fails in " + folder);
        }
        delivered.add(orderId);
        Set<String> left = entries(slot);
        left.remove("lost+found");
        if (stick ? !left.equals(Set.of(orderId)) : !delivered.containsAll(left)) {
            problems.add("the slot holds " + left);
        }
        String logs = product.get("/api/jobs/" + job.path("id").asText() + "/logs").body();
        if (halted.recoveredAtStartup()
                && !logs.contains("was interrupted when instance " + INSTANCE + " stopped")) {
            problems.add("the restart's own recovery did not take the job back");
        }
        int leases = count("SELECT COUNT(*) FROM usb_mount_leases");
        if (leases != 0) {
            problems.add(leases + " leases left with no run alive");
        }
        return new Outcome(name, orderId, problems, "attempts " + job.path("attempts").asInt());
    }

    /** What the restart found of an order counts for each row that halted on its way. */
    private static void record(
            Outcome found,
            List<Integer> rows,
            List<List<String>> problems,
            List<String> summaries) {
        for (int row : rows) {
            problems.get(row).addAll(found.problems());
            summaries.set(row, found.summary());
        }
    }

    /** A stick holds one order: the operator takes it out and plugs a new one in. */
    private void readyForTheNextOrder() throws Exception {
        if (stick && !delivered.isEmpty()) {
            loopStick.unplug();
            loopStick.close();
            // Without udev a stick is known by its device and mount, both of which the kernel
            // reuses: the station must see the slot empty before the next stick comes.
            awaitSlot("EMPTY");
            plugANewStick();
        }
        awaitSlot("READY");
    }

    private void awaitSlot(String state) {
        Awaitility.await("slot-1 " + state)
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(
                        () ->
                                JSON.readTree(product.get("/api/slots").body())
                                        .get(0)
                                        .path("state")
                                        .asText(),
                        state::equals);
    }

    private void plugANewStick() throws IOException {
        loopStick =
                LoopStick.mount(
                        dir.resolve("images/stick-" + (++sticks) + ".img"), slot, STICK_MIB);
    }

    /**
     * What a run that lost its job left on the slot: a lease of a job that is gone, naming its
     * staging folder and the order folder it published, both there.
     */
    private void leaveADeadLease(String deadOrder) throws Exception {
        String token = "dead-run-of-" + deadOrder;
        Path staging = slot.resolve("." + deadOrder + "." + token + ".part");
        Path published = slot.resolve(deadOrder);
        SlotKind kind = stick ? SlotKind.STICK : SlotKind.FOLDER;
        String stickId =
                kind.identify(Slot.of(slot), new SlotProbe(stick).probe(slot).require()).id();
        try (Connection connection = connect();
                PreparedStatement insert =
                        connection.prepareStatement(
                                "INSERT INTO usb_mount_leases (station, mount_path, slot, job_id,"
                                        + " run_token, stick_id, staging_folder, order_folder,"
                                        + " published, leased_at) VALUES (?, ?, 'slot-1', ?, ?, ?,"
                                        + " ?, ?, TRUE, CURRENT_TIMESTAMP)")) {
            insert.setString(1, INSTANCE);
            insert.setString(2, slot.toString());
            insert.setString(3, "job-of-" + deadOrder);
            insert.setString(4, token);
            insert.setString(5, stickId);
            insert.setString(6, staging.toString());
            insert.setString(7, published.toString());
            insert.executeUpdate();
        }
        // As a run does it: the lease first, then what it names (the station leaves a leased slot
        // alone, so it never judges these files).
        PipelineRuntime.writeRandom(staging.resolve("half.bin"), 1_000);
        PipelineRuntime.writeRandom(published.resolve("whole.bin"), 1_000);
        delivered.remove(deadOrder);
    }

    private JsonNode jobOf(String orderId) throws Exception {
        return JSON.readTree(product.get("/api/jobs?orderId=" + orderId).body())
                .path("jobs")
                .get(0);
    }

    private int count(String sql) throws SQLException {
        try (Connection connection = connect();
                ResultSet rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** The product's database, while the product runs (H2 through its automatic server). */
    private Connection connect() throws SQLException {
        return DriverManager.getConnection(
                properties.get("pipeline.db.url"), database.user(), database.password());
    }

    private static Set<String> entries(Path folder) throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            Set<String> names = new LinkedHashSet<>();
            list.forEach(entry -> names.add(entry.getFileName().toString()));
            return names;
        }
    }

    private static String scoped(String faults, String orderId) {
        return faults.isEmpty()
                ? ""
                : String.join(
                        ",",
                        Stream.of(faults.split(",")).map(fault -> fault + "@" + orderId).toList());
    }

    @Override
    public void close() throws Exception {
        if (product != null && product.isAlive()) {
            product.kill();
        }
        if (loopStick != null) {
            loopStick.close();
        }
    }
}
