package shop.usb.pipeline.faults;

import jakarta.jms.Connection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.awaitility.Awaitility;

/**
 * Artemis 2.44.0 from its distribution (the build copies the archive into target/faults): an
 * instance made with {@code artemis create}, configured with docker/artemis/broker.xml (its
 * acceptor on this machine's port) and the accounts compose gives it, run as a process a test may
 * kill.
 */
final class StandaloneArtemis implements AutoCloseable {

    static final Path ARCHIVE = Path.of("target", "faults", "apache-artemis-2.44.0-bin.tar.gz");
    static final Path COMPOSE_BROKER_XML = Path.of("docker", "artemis", "broker.xml");

    private final Path instance;
    private final int port;
    private final Path log;
    private Process process;

    private StandaloneArtemis(Path instance, int port, Path log) {
        this.instance = instance;
        this.port = port;
        this.log = log;
    }

    /**
     * Unpacks the distribution, creates an instance with these accounts (user to password and
     * role).
     */
    static StandaloneArtemis create(Path root, int port, Map<String, String[]> accounts)
            throws Exception {
        return create(
                unpack(root),
                root.resolve("broker"),
                port,
                accounts,
                "",
                root.resolve("artemis.log"));
    }

    /**
     * A primary and its backup on one shared store (the journal's folder, locked by whichever is
     * active), as a shop would run the pair on shared storage. The backup announces itself to the
     * primary over a cluster connection, so clients connected with {@code ha=true} learn where to
     * fail over to; the backup gives the primary its place back when it returns (failback).
     */
    static StandaloneArtemis[] createPair(
            Path root, int primaryPort, int backupPort, Map<String, String[]> accounts)
            throws Exception {
        Path home = unpack(root);
        Path store = Files.createDirectories(root.resolve("shared-store"));
        return new StandaloneArtemis[] {
            create(
                    home,
                    root.resolve("primary"),
                    primaryPort,
                    accounts,
                    pairing(store, primaryPort, backupPort, "<primary/>"),
                    root.resolve("primary.log")),
            create(
                    home,
                    root.resolve("backup"),
                    backupPort,
                    accounts,
                    pairing(
                            store,
                            backupPort,
                            primaryPort,
                            "<backup><allow-failback>true</allow-failback></backup>"),
                    root.resolve("backup.log"))
        };
    }

    private static Path unpack(Path root) throws Exception {
        Files.createDirectories(root);
        run(
                root,
                List.of("tar", "xzf", ARCHIVE.toAbsolutePath().toString(), "-C", root.toString()));
        return root.resolve("apache-artemis-2.44.0");
    }

    /**
     * What docker/artemis/broker.xml gains on a node of the pair (README, Scaling out, shows the
     * same).
     */
    private static String pairing(Path store, int ownPort, int peerPort, String role) {
        return """
                <connectors>
                  <connector name="self">tcp://127.0.0.1:%d</connector>
                  <connector name="peer">tcp://127.0.0.1:%d</connector>
                </connectors>
                <cluster-user>pair</cluster-user>
                <cluster-password>pair-secret</cluster-password>
                <ha-policy><shared-store>%s</shared-store></ha-policy>
                <cluster-connections>
                  <cluster-connection name="pair">
                    <connector-ref>self</connector-ref>
                    <static-connectors><connector-ref>peer</connector-ref></static-connectors>
                  </cluster-connection>
                </cluster-connections>
                """
                        .formatted(ownPort, peerPort, role)
                + Stream.of("paging", "bindings", "journal", "large-messages")
                        .map(
                                folder ->
                                        "<"
                                                + folder
                                                + "-directory>"
                                                + store.resolve(folder)
                                                + "</"
                                                + folder
                                                + "-directory>\n")
                        .collect(Collectors.joining());
    }

    private static StandaloneArtemis create(
            Path home,
            Path instance,
            int port,
            Map<String, String[]> accounts,
            String pairing,
            Path log)
            throws Exception {
        Path root = instance.getParent();
        run(
                root,
                List.of(
                        home.resolve("bin/artemis").toString(),
                        "create",
                        instance.toString(),
                        "--user",
                        "admin",
                        "--password",
                        "admin",
                        "--role",
                        "amq",
                        "--require-login",
                        "--silent",
                        "--no-web",
                        "--no-autotune",
                        "--host",
                        "127.0.0.1",
                        "--default-port",
                        String.valueOf(port),
                        "--java-options",
                        "-Xmx512m"));
        String brokerXml =
                Files.readString(COMPOSE_BROKER_XML)
                        .replace("tcp://0.0.0.0:61616", "tcp://127.0.0.1:" + port);
        if (!brokerXml.contains("127.0.0.1:" + port)) {
            throw new IllegalStateException(
                    "docker/artemis/broker.xml has no acceptor on 0.0.0.0:61616 to move");
        }
        if (!pairing.isEmpty()) {
            // The pair's store replaces the instance's own data folders.
            brokerXml =
                    brokerXml
                            .replaceAll(
                                    "(?m)^\\s*<(paging|bindings|journal|large-messages)-directory>.*\\n",
                                    "")
                            .replace("</core>", pairing + "</core>");
        }
        Files.writeString(instance.resolve("etc/broker.xml"), brokerXml);
        // The administrator "artemis create" made (role amq, as the image's ARTEMIS_USER), and the
        // others.
        StringBuilder users = new StringBuilder("admin = admin\n");
        StringBuilder roles = new StringBuilder("amq = admin\n");
        accounts.forEach(
                (user, passwordAndRole) -> {
                    users.append(user).append(" = ").append(passwordAndRole[0]).append('\n');
                    roles.append(passwordAndRole[1]).append(" = ").append(user).append('\n');
                });
        Files.writeString(instance.resolve("etc/artemis-users.properties"), users);
        Files.writeString(instance.resolve("etc/artemis-roles.properties"), roles);
        return new StandaloneArtemis(instance, port, log);
    }

    int port() {
        return port;
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /**
     * Starts the broker and waits until it takes connections (a primary whose backup is active
     * waits for failback).
     */
    void start() throws IOException {
        launch();
        ActiveMQConnectionFactory admin = new ActiveMQConnectionFactory(url(), "admin", "admin");
        Awaitility.await("Artemis to take connections (its log: " + log + ")")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(
                        () -> {
                            if (!process.isAlive()) {
                                throw new IllegalStateException(
                                        "Artemis exited:\n" + Files.readString(log));
                            }
                            try (Connection connection = admin.createConnection()) {
                                return true;
                            }
                        });
    }

    /**
     * Starts the pair's backup and waits until the primary knows of it, so clients learn where to
     * fail over.
     */
    void startAsBackup() throws IOException {
        long logBefore = logLength();
        launch();
        awaitLogged(logBefore, "AMQ221031: backup announced");
    }

    /** Waits until the broker logs this line past the log's length {@code logBefore}. */
    void awaitLogged(long logBefore, String line) {
        Awaitility.await("Artemis to log " + line + " (its log: " + log + ")")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> {
                            if (!process.isAlive()) {
                                throw new IllegalStateException(
                                        "Artemis exited:\n" + Files.readString(log));
                            }
                            byte[] written = Files.readAllBytes(log);
                            return new String(
                                            written,
                                            (int) logBefore,
                                            written.length - (int) logBefore,
                                            StandardCharsets.UTF_8)
                                    .contains(line);
                        });
    }

    long logLength() throws IOException {
        return Files.exists(log) ? Files.size(log) : 0;
    }

    private void launch() throws IOException {
        ProcessBuilder builder =
                new ProcessBuilder(instance.resolve("bin/artemis").toString(), "run")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        process = builder.start();
    }

    /** SIGKILL of the broker's JVM (and the script that started it). */
    void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.onExit().join();
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            kill();
        }
    }

    private static void run(Path dir, List<String> command) throws Exception {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        }
    }
}
