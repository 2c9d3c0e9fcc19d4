package shop.usb.pipeline.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.order;

import com.zaxxer.hikari.HikariDataSource;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.support.LoopStick;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.ProductProcess;
import shop.usb.pipeline.support.TcpProxy;

/**
 * The production topology on this machine, broken on purpose while orders flow in: standalone
 * Artemis 2.44.0 from its distribution (docker/artemis/broker.xml, set up by the subclass), a
 * PostgreSQL 17 server of its own, and two product instances on the prod profile with the
 * environment docker/compose.yaml gives them, each in a mount namespace where its sticks are at
 * /usb/slot-1 and /usb/slot-2, as in compose. Each instance reaches the database through a TCP
 * proxy that can cut or blackhole it, and the broker through one too where the subclass wants it.
 * Every row counts orders sent, completed, lost, duplicated and falsely COMPLETED, and the recovery
 * time, and writes them to target/faults.md. A shop's durable subscription then reads the row's
 * status events: each order's must arrive whole, in its sequence, once. Run with {@code mvn -B test
 * -Pfaults}.
 */
@Tag("faults")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class TopologyUnderFaults {

    private static final String TOKEN = "faults-api-token";
    private static final Path ROOT = Path.of("target", "faults").toAbsolutePath();

    /** Every row of every topology this JVM ran, in order, for target/faults.md. */
    private static final List<String[]> TABLE = new ArrayList<>();

    private static final AtomicInteger ROWS = new AtomicInteger();

    protected PostgresServer database;
    protected final Instance[] instances = new Instance[2];
    private HikariDataSource jobsTable;
    private ActiveMQConnectionFactory producer;
    private ShopSubscriber shop;

    /**
     * Starts the broker (or brokers) on free ports, with these accounts (user to password and
     * role).
     */
    protected abstract void startBroker(Path dir, Map<String, String[]> accounts) throws Exception;

    /** Where the test's own clients (the shops' producer, the administrator) reach the broker. */
    protected abstract String brokerUrl();

    /** The port of the broker an instance's broker proxy leads to. */
    protected abstract int brokerPort();

    /** The broker URL an instance is given (through its proxy, or not). */
    protected abstract String brokerUrlOf(Instance instance);

    protected abstract void stopBroker();

    @BeforeAll
    void startTopology() throws Exception {
        LoopStick.requireMountRights(); // each instance runs in a mount namespace of its own
        Path run = ROOT.resolve("run").resolve(getClass().getSimpleName());
        deleteTree(run);
        Files.createDirectories(run);
        Map<String, String[]> accounts = new LinkedHashMap<>();
        accounts.put("pipeline", new String[] {"pipeline-secret", "pipeline"});
        accounts.put("producer", new String[] {"producer-secret", "producer"});
        accounts.put("shop", new String[] {"shop-secret", "shop"});
        startBroker(run.resolve("artemis"), accounts);
        database = new PostgresServer(run.resolve("postgres"), PipelineRuntime.freePort());
        database.start();
        database.createDatabase("pipeline");
        jobsTable = new HikariDataSource();
        jobsTable.setJdbcUrl(database.url("pipeline"));
        jobsTable.setUsername("postgres");
        jobsTable.setPassword("postgres");
        jobsTable.setConnectionTimeout(2_000);
        Path library = run.resolve("library");
        PipelineRuntime.writeRandom(library.resolve("music/jazz/01-so-what.mp3"), 20_000);
        PipelineRuntime.writeRandom(library.resolve("movies/short.mp4"), 2_000_000);
        Path jolokiaUsers = run.resolve("jolokia-users.properties");
        Files.writeString(jolokiaUsers, "user.operator=operator-secret,admin\n");
        for (int i = 0; i < instances.length; i++) {
            instances[i] =
                    new Instance(
                            "pipeline-" + (i + 1),
                            run.resolve("pipeline-" + (i + 1)),
                            library,
                            jolokiaUsers);
            instances[i].start();
        }
        producer = new ActiveMQConnectionFactory(brokerUrl(), "producer", "producer-secret");
        shop = new ShopSubscriber(brokerUrl(), "shop", "shop-secret");
        shop.subscribe();
        // A send to a dead broker gives up soon, so the sender keeps its pace through the outage.
        producer.setCallTimeout(2_000);
    }

    @AfterAll
    void stopTopology() throws Exception {
        try {
            writeTable();
        } finally {
            for (Instance instance : instances) {
                if (instance != null) {
                    instance.close();
                }
            }
            if (jobsTable != null) {
                jobsTable.close();
            }
            if (database != null) {
                database.close();
            }
            stopBroker();
        }
    }

    /**
     * Sends orders at {@code perSecond} from 3 s before the fault until 3 s after it heals, then
     * waits for every one to complete, and records the row.
     */
    protected void row(String fault, int perSecond, Duration outage, Step breakIt, Step healIt)
            throws Exception {
        String prefix = "F" + ROWS.incrementAndGet() + "-";
        Sender sender = new Sender(prefix, perSecond);
        Thread sending = new Thread(sender, "fault-orders");
        sending.start();
        Instant healedAt;
        try {
            hold(Duration.ofSeconds(3));
            try {
                breakIt.run();
                hold(outage);
            } finally {
                healIt.run(); // whatever failed, the next row starts on a whole topology
            }
            healedAt = Instant.now();
            hold(Duration.ofSeconds(3));
        } finally {
            sender.stop.set(true);
            sending.join();
        }
        int sent = sender.sent.get();
        try {
            Awaitility.await(fault + ": every order sent completes")
                    .atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions()
                    .until(() -> completed(prefix) >= sent);
        } catch (ConditionTimeoutException notAll) {
            // Recorded below as lost orders, and failed there.
        }
        int completed = completed(prefix);
        int duplicated = duplicated(prefix);
        int falseCompleted = falselyCompleted(prefix);
        int deadLettered = deadLettered(prefix);
        double recovery = recoverySeconds(prefix, healedAt);
        int brokenSequences = brokenEventSequences(prefix);
        TABLE.add(
                new String[] {
                    fault,
                    String.valueOf(sent),
                    String.valueOf(completed),
                    String.valueOf(sent - completed),
                    String.valueOf(duplicated),
                    String.valueOf(falseCompleted),
                    String.valueOf(deadLettered),
                    String.valueOf(brokenSequences),
                    String.format(Locale.ROOT, "%.1f", recovery)
                });
        assertThat(completed).as(fault + ": completed of " + sent).isEqualTo(sent);
        assertThat(duplicated).as(fault + ": orders written twice").isZero();
        assertThat(falseCompleted)
                .as(fault + ": COMPLETED folders that fail sha256sum -c")
                .isZero();
        assertThat(deadLettered).as(fault + ": orders on the DLQ").isZero();
        assertThat(brokenSequences)
                .as(
                        fault
                                + ": orders whose status events the shop got with a gap, twice or out of order")
                .isZero();
    }

    /**
     * Once the row's events have all left the outbox: the orders whose events the shop's durable
     * subscription did not receive as 1, 2, ... n, n at least how many the outbox held for the
     * order before the drain (a gap, a duplicate, a swap or a missing event each break it).
     */
    private int brokenEventSequences(String prefix) throws Exception {
        JdbcTemplate jdbc = new JdbcTemplate(jobsTable);
        try {
            Awaitility.await("every status event of the row sent")
                    .atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions()
                    .until(
                            () ->
                                    jdbc.queryForObject(
                                                    "SELECT COUNT(*) FROM status_events"
                                                            + " WHERE order_id LIKE ? AND sent_at IS NULL",
                                                    Integer.class,
                                                    prefix + "%")
                                            == 0);
        } catch (ConditionTimeoutException notAllSent) {
            // Counted below: the shop is missing them.
        }
        Map<String, Long> written = new LinkedHashMap<>();
        jdbc.query(
                "SELECT order_id, COUNT(*) AS events FROM status_events WHERE order_id LIKE ?"
                        + " GROUP BY order_id",
                rs -> {
                    written.put(rs.getString("order_id"), rs.getLong("events"));
                },
                prefix + "%");
        Map<String, List<Long>> received = shop.drain(Duration.ofSeconds(3));
        int broken = 0;
        for (Map.Entry<String, Long> order : written.entrySet()) {
            // At least the events counted before the drain, numbered 1, 2, ... in the order they
            // came; an event written since (a confirmation redelivered late) may follow them.
            List<Long> got = received.getOrDefault(order.getKey(), List.of());
            List<Long> expected =
                    java.util.stream.LongStream.rangeClosed(1, got.size()).boxed().toList();
            if (got.size() < order.getValue() || !expected.equals(got)) {
                System.out.println(
                        "Status events of "
                                + order.getKey()
                                + ": written "
                                + order.getValue()
                                + ", received "
                                + received.get(order.getKey()));
                broken++;
            }
        }
        return broken;
    }

    private int completed(String prefix) {
        return new JdbcTemplate(jobsTable)
                .queryForObject(
                        "SELECT COUNT(*) FROM processing_jobs"
                                + " WHERE status = 'COMPLETED' AND order_id LIKE ?",
                        Integer.class,
                        prefix + "%");
    }

    /** Seconds from the part coming back to the first of this row's orders completing after it. */
    private double recoverySeconds(String prefix, Instant healedAt) {
        Timestamp first =
                new JdbcTemplate(jobsTable)
                        .queryForObject(
                                "SELECT MIN(completed_at) FROM processing_jobs"
                                        + " WHERE order_id LIKE ? AND completed_at >= ?",
                                Timestamp.class,
                                prefix + "%",
                                Timestamp.from(healedAt));
        return first == null
                ? 0
                : Duration.between(healedAt, first.toInstant()).toMillis() / 1000.0;
    }

    /** Orders whose folder is on more than one slot, of either instance. */
    private int duplicated(String prefix) throws IOException {
        Map<String, Integer> folders = new LinkedHashMap<>();
        for (Path slot : slots()) {
            try (Stream<Path> entries = Files.list(slot)) {
                entries.map(p -> p.getFileName().toString())
                        .filter(name -> name.startsWith(prefix))
                        .forEach(name -> folders.merge(name, 1, Integer::sum));
            }
        }
        return (int) folders.values().stream().filter(count -> count > 1).count();
    }

    /** COMPLETED orders whose folder does not pass {@code sha256sum -c}. */
    private int falselyCompleted(String prefix) throws Exception {
        int bad = 0;
        for (Path slot : slots()) {
            try (Stream<Path> entries = Files.list(slot)) {
                for (Path folder :
                        entries.filter(p -> p.getFileName().toString().startsWith(prefix))
                                .toList()) {
                    if (PipelineRuntime.sha256sumCheck(folder) != 0) {
                        bad++;
                    }
                }
            }
        }
        return bad;
    }

    private int deadLettered(String prefix) throws Exception {
        ActiveMQConnectionFactory admin =
                new ActiveMQConnectionFactory(brokerUrl(), "admin", "admin");
        try (Connection connection = admin.createConnection();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            QueueBrowser browser =
                    session.createBrowser(
                            session.createQueue("orders.confirmed.DLQ"),
                            "faultRow = '" + prefix + "'");
            return Collections.list(browser.getEnumeration()).size();
        }
    }

    private List<Path> slots() {
        List<Path> slots = new ArrayList<>();
        for (Instance instance : instances) {
            slots.add(instance.dir.resolve("usb/slot-1"));
            slots.add(instance.dir.resolve("usb/slot-2"));
        }
        return slots;
    }

    private void writeTable() throws IOException {
        StringBuilder md =
                new StringBuilder(
                        "Run "
                                + Instant.now()
                                + " on "
                                + Runtime.getRuntime().availableProcessors()
                                + " cores, Java "
                                + System.getProperty("java.version")
                                + "\n\n"
                                + "| fault | orders sent | completed | lost | duplicated | false COMPLETED | on the DLQ | status events broken | recovery (s) |\n"
                                + "|---|---|---|---|---|---|---|---|---|\n");
        for (String[] row : TABLE) {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        Files.writeString(ROOT.resolve("../faults.md").normalize(), md);
        System.out.println(md);
    }

    /** The fault's own clock: it lasts this long. Not a wait for asynchronous work. */
    protected static void hold(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }

    private static void deleteTree(Path path) throws IOException {
        if (Files.exists(path)) {
            try (Stream<Path> walk = Files.walk(path)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @FunctionalInterface
    protected interface Step {
        void run() throws Exception;
    }

    /**
     * Sends one order after another at a steady rate as the producer account; a refused send is
     * tried again.
     */
    private final class Sender implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger sent = new AtomicInteger();
        private final String prefix;
        private final long periodNanos;

        Sender(String prefix, int perSecond) {
            this.prefix = prefix;
            this.periodNanos = 1_000_000_000L / perSecond;
        }

        @Override
        public void run() {
            long next = System.nanoTime();
            while (!stop.get()) {
                String orderId = prefix + (sent.get() + 1);
                String file =
                        sent.get() % 5 == 0 ? "movies/short.mp4" : "music/jazz/01-so-what.mp3";
                try (Connection connection = producer.createConnection();
                        Session session =
                                connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
                    MessageProducer messages =
                            session.createProducer(session.createQueue("orders.confirmed"));
                    TextMessage message =
                            session.createTextMessage(order(orderId).file(file).json());
                    message.setStringProperty("faultRow", prefix);
                    messages.send(message);
                    sent.incrementAndGet();
                } catch (Exception brokerAway) {
                    // Not sent: the same order is sent again at the next tick.
                }
                next += periodNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        }
    }

    /** One product instance as compose runs it, with its proxies to the broker and the database. */
    protected final class Instance implements AutoCloseable {
        final String id;
        final Path dir;
        final TcpProxy brokerLink;
        final TcpProxy databaseLink;
        private final Path library;
        private final Path jolokiaUsers;
        private final int httpPort = PipelineRuntime.freePort();
        private final int managementPort = PipelineRuntime.freePort();
        private ProductProcess process;

        Instance(String id, Path dir, Path library, Path jolokiaUsers) throws IOException {
            this.id = id;
            this.dir = dir;
            this.library = library;
            this.jolokiaUsers = jolokiaUsers;
            this.brokerLink = TcpProxy.to("127.0.0.1", brokerPort());
            this.databaseLink = TcpProxy.to("127.0.0.1", database.port());
            Files.createDirectories(dir.resolve("usb/slot-1"));
            Files.createDirectories(dir.resolve("usb/slot-2"));
        }

        void start() throws IOException {
            Map<String, String> environment = composeEnvironment(id);
            environment.put("PIPELINE_BROKER_URL", brokerUrlOf(this));
            environment.put(
                    "PIPELINE_DB_URL",
                    "jdbc:postgresql://127.0.0.1:" + databaseLink.port() + "/pipeline");
            environment.put("PIPELINE_CONTENT_DIR", library.toString());
            environment.put("PIPELINE_MANIFEST_DIR", dir.resolve("inbox").toString());
            environment.put("PIPELINE_DATA_DIR", dir.resolve("data").toString());
            environment.put("PIPELINE_JOLOKIA_USERS_FILE", jolokiaUsers.toString());
            // Folders stand in for sticks here, each taking one order after another (no operator
            // swaps them).
            environment.put("PIPELINE_USB_SLOT_KIND", "folder");
            // As in compose: every instance sees its own sticks at /usb/slot-1 and /usb/slot-2.
            List<String> namespace =
                    List.of(
                            "unshare",
                            "--mount",
                            "--propagation",
                            "private",
                            "--",
                            "sh",
                            "-c",
                            "mkdir -p /usb/slot-1 /usb/slot-2 && mount --bind \"$1\" /usb/slot-1"
                                    + " && mount --bind \"$2\" /usb/slot-2 && shift 2 && exec \"$@\"",
                            "sh",
                            dir.resolve("usb/slot-1").toString(),
                            dir.resolve("usb/slot-2").toString());
            process =
                    ProductProcess.start(
                            namespace,
                            List.of("-Xmx384m"),
                            Map.of(
                                    "camel.server.port", String.valueOf(httpPort),
                                    "camel.management.port", String.valueOf(managementPort)),
                            environment,
                            dir.resolve("product.log"));
        }

        HttpResponse<String> submit(String confirmation) throws Exception {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    "http://127.0.0.1:" + httpPort + "/api/orders"))
                                    .timeout(Duration.ofSeconds(20))
                                    .header("Content-Type", "application/json")
                                    .header("Authorization", "Bearer " + TOKEN)
                                    .POST(HttpRequest.BodyPublishers.ofString(confirmation))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        }

        /** Waits until the instance's readiness (database, broker, mounts) is up. */
        void awaitReady() {
            HttpClient client = HttpClient.newHttpClient();
            Awaitility.await(id + " to be ready")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions()
                    .until(
                            () ->
                                    client.send(
                                                            HttpRequest.newBuilder(
                                                                            URI.create(
                                                                                    "http://127.0.0.1:"
                                                                                            + managementPort
                                                                                            + "/observe/health/ready"))
                                                                    .timeout(Duration.ofSeconds(5))
                                                                    .build(),
                                                            HttpResponse.BodyHandlers.discarding())
                                                    .statusCode()
                                            == 200);
        }

        void kill() throws InterruptedException {
            process.kill();
        }

        void terminate(Duration atMost) throws InterruptedException {
            process.terminate(atMost);
        }

        @Override
        public void close() throws Exception {
            if (process != null && process.isAlive()) {
                process.close();
            }
            brokerLink.close();
            databaseLink.close();
        }
    }

    /**
     * The environment docker/compose.yaml gives a product instance, with the .env values this test
     * uses.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, String> composeEnvironment(String instanceId) {
        Map<String, Object> compose;
        try {
            compose =
                    (Map<String, Object>)
                            new Load(LoadSettings.builder().build())
                                    .loadFromString(
                                            Files.readString(Path.of("docker", "compose.yaml")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> dotEnv =
                Map.of(
                        "PIPELINE_BROKER_USER",
                        "pipeline",
                        "PIPELINE_BROKER_PASSWORD",
                        "pipeline-secret",
                        "POSTGRES_USER",
                        "postgres",
                        "POSTGRES_PASSWORD",
                        "postgres",
                        "PIPELINE_API_TOKEN",
                        TOKEN);
        Map<String, String> environment = new LinkedHashMap<>();
        ((Map<String, Object>) compose.get("x-pipeline-environment"))
                .forEach(
                        (key, value) -> {
                            String text = String.valueOf(value);
                            Matcher variable =
                                    Pattern.compile("\\$\\{([A-Z_]+)[^}]*}").matcher(text);
                            environment.put(
                                    key,
                                    variable.replaceAll(
                                            match -> dotEnv.getOrDefault(match.group(1), "")));
                        });
        environment.put("PIPELINE_INSTANCE_ID", instanceId);
        return environment;
    }
}
