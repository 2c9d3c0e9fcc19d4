package shop.usb.pipeline.support;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.main.Main;
import org.awaitility.Awaitility;
import org.springframework.dao.DataAccessException;
import shop.usb.pipeline.PipelineApplication;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobReads;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.JobView;
import shop.usb.pipeline.ops.HttpGate;

/**
 * The real product, started in this JVM the way {@code java -jar} starts it: embedded Artemis on a
 * free port, a real database, real folders as library and USB mounts. Only the properties differ.
 */
public final class PipelineRuntime implements AutoCloseable {

    public static final String USER = "pipeline";
    public static final String PASSWORD = "pipeline";

    private final Main main;
    private final Path root;
    private final int brokerPort;
    private final int httpPort;
    private final int managementPort;
    private final ActiveMQConnectionFactory client;
    private final HttpClient http = HttpClient.newHttpClient();

    private PipelineRuntime(
            Main main, Path root, int brokerPort, int httpPort, int managementPort) {
        this.main = main;
        this.root = root;
        this.brokerPort = brokerPort;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
        this.client =
                new ActiveMQConnectionFactory("tcp://127.0.0.1:" + brokerPort, USER, PASSWORD);
    }

    /** As {@link #start}, on an H2 database in {@code root/db}. */
    public static PipelineRuntime startOnH2(Path root, Map<String, String> overrides)
            throws Exception {
        return start(root, TestDatabase.h2(root.resolve("db")), overrides);
    }

    /**
     * Starts the product with two USB mounts and a small library; {@code overrides} win over
     * everything.
     */
    public static PipelineRuntime start(
            Path root, TestDatabase database, Map<String, String> overrides) throws Exception {
        Files.createDirectories(root.resolve("usb/slot-a"));
        Files.createDirectories(root.resolve("usb/slot-b"));
        if (!Files.exists(root.resolve("library"))) {
            createLibrary(root.resolve("library"));
        }
        int brokerPort = freePort();
        int httpPort = freePort();
        int managementPort = freePort();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("pipeline.data.dir", root.resolve("data").toString());
        properties.put("pipeline.content.dir", root.resolve("library").toString());
        properties.put(
                "pipeline.usb.mounts",
                root.resolve("usb/slot-a") + "," + root.resolve("usb/slot-b"));
        // Plain folders stand in for sticks here; the tests on real filesystems set it true.
        properties.put("pipeline.usb.require-mount", "false");
        // Folders that take one order after the other; the station tests set "stick".
        properties.put("pipeline.usb.slot-kind", "folder");
        properties.put("pipeline.demo.enabled", "false");
        properties.put("pipeline.broker.port", String.valueOf(brokerPort));
        properties.put("pipeline.db.url", database.url());
        properties.put("pipeline.db.user", database.user());
        properties.put("pipeline.db.password", database.password());
        properties.put("pipeline.usb.allocation-timeout", "5s");
        properties.put("pipeline.instance.id", "test-instance");
        properties.put("camel.server.port", String.valueOf(httpPort));
        properties.put("camel.management.port", String.valueOf(managementPort));
        properties.putAll(overrides);
        Main main = PipelineApplication.create();
        Properties override = new Properties();
        override.putAll(properties);
        main.setOverrideProperties(override);
        main.start();
        return new PipelineRuntime(
                main,
                root,
                Integer.parseInt(properties.get("pipeline.broker.port")),
                Integer.parseInt(properties.get("camel.server.port")),
                Integer.parseInt(properties.get("camel.management.port")));
    }

    /**
     * Library files: music/salsa (3 files), music/jazz (1), movies/coco.mp4; plus a file outside
     * it.
     */
    private static void createLibrary(Path library) throws IOException {
        writeRandom(library.resolve("music/salsa/01-la-rebelion.mp3"), 40_000);
        writeRandom(library.resolve("music/salsa/02-pedro-navaja.mp3"), 30_000);
        writeRandom(library.resolve("music/salsa/cover/front.jpg"), 5_000);
        writeRandom(library.resolve("music/jazz/01-so-what.mp3"), 20_000);
        writeRandom(library.resolve("movies/coco.mp4"), 300_000);
        writeRandom(library.resolveSibling("outside/secret.txt"), 1_000);
        Files.createSymbolicLink(
                library.resolve("music/leak"), library.resolveSibling("outside/secret.txt"));
    }

    public static void writeRandom(Path file, int size) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] bytes = new byte[size];
        new Random(file.toString().hashCode()).nextBytes(bytes);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(bytes);
        }
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public JobLifecycle jobs() {
        return context()
                .getRegistry()
                .lookupByNameAndType(JobLifecycle.BEAN_NAME, JobLifecycle.class);
    }

    public JobReads reads() {
        return context().getRegistry().lookupByNameAndType(JobReads.BEAN_NAME, JobReads.class);
    }

    public Path root() {
        return root;
    }

    public DataSource dataSource() {
        return context().getRegistry().lookupByNameAndType("dataSource", DataSource.class);
    }

    public Path mountA() {
        return root.resolve("usb/slot-a");
    }

    public Path library() {
        return root.resolve("library");
    }

    public int brokerPort() {
        return brokerPort;
    }

    public void sendText(String queue, String body) throws JMSException {
        send(queue, session -> session.createTextMessage(body));
    }

    public void sendBytes(String queue, byte[] body) throws JMSException {
        send(
                queue,
                session -> {
                    BytesMessage message = session.createBytesMessage();
                    message.writeBytes(body);
                    return message;
                });
    }

    public void sendObject(String queue, Serializable body) throws JMSException {
        send(queue, session -> session.createObjectMessage(body));
    }

    public void send(String queue, JmsMessageFactory factory) throws JMSException {
        send(queue, factory, message -> {});
    }

    public void send(String queue, JmsMessageFactory factory, JmsCustomizer customize)
            throws JMSException {
        try (Connection connection = client.createConnection();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            MessageProducer producer = session.createProducer(session.createQueue(queue));
            Message message = factory.create(session);
            customize.apply(message);
            producer.send(message);
        }
    }

    /** Receives the first dead letter that matches the JMS selector, waiting up to 10 s. */
    public Message receiveDeadLetter(String selector, Consumer<Message> inspect)
            throws JMSException {
        try (Connection connection = client.createConnection();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            connection.start();
            MessageConsumer consumer =
                    session.createConsumer(session.createQueue("orders.confirmed.DLQ"), selector);
            Message message = consumer.receive(Duration.ofSeconds(10).toMillis());
            if (message != null) {
                inspect.accept(message);
            }
            return message;
        }
    }

    public JobView awaitJob(String orderId, JobStatus status) {
        return awaitJob(orderId, job -> job.status() == status, "be " + status);
    }

    public JobView awaitJob(String orderId, Predicate<JobView> condition, String what) {
        return Awaitility.await("job of " + orderId + " to " + what)
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                // The product's own pool may still be reconnecting after a fault a test caused.
                .ignoreExceptionsInstanceOf(DataAccessException.class)
                .until(
                        () -> reads().findByOrderId(orderId).orElse(null),
                        job -> job != null && condition.test(job));
    }

    /**
     * Waits until no run is in progress: a run frees its lease and records its metrics as it ends,
     * just after its last transition shows.
     */
    public void awaitRunsEnded() {
        MeterRegistry metrics =
                context()
                        .getRegistry()
                        .lookupByNameAndType(
                                MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class);
        Awaitility.await("every run to end")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> metrics.get("pipeline.jobs.active").gauge().value() == 0);
    }

    public List<JobView> jobsOf(String orderId) {
        return reads().findAll(orderId, 10);
    }

    /** A request as the dashboard makes it on this machine: changes carry the intent header. */
    public HttpResponse<String> http(String method, String path, String body)
            throws IOException, InterruptedException {
        return http(method, path, body, Map.of(HttpGate.INTENT_HEADER, "test"));
    }

    /** A request to the API server (port camel.server.port) with exactly these extra headers. */
    public HttpResponse<String> http(
            String method, String path, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        return send(httpPort, method, path, body, headers, Duration.ofSeconds(10));
    }

    /**
     * As {@link #http(String, String, String, Map)}, waiting up to {@code timeout} for the answer:
     * for actions that may take longer than the usual 10 s.
     */
    public HttpResponse<String> http(
            String method, String path, String body, Map<String, String> headers, Duration timeout)
            throws IOException, InterruptedException {
        return send(httpPort, method, path, body, headers, timeout);
    }

    /** A request to the management server: /observe/health, /observe/metrics, /observe/jolokia. */
    public HttpResponse<String> management(
            String method, String path, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        return send(managementPort, method, path, body, headers, Duration.ofSeconds(10));
    }

    public int httpPort() {
        return httpPort;
    }

    public int managementPort() {
        return managementPort;
    }

    private HttpResponse<String> send(
            int port,
            String method,
            String path,
            String body,
            Map<String, String> headers,
            Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(timeout)
                        .header("Content-Type", "application/json");
        headers.forEach(request::header);
        request.method(
                method,
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        main.stop();
    }

    /** Runs {@code sha256sum -c} on an order folder's manifest; 0 when every file checks out. */
    public static int sha256sumCheck(Path folder) throws IOException, InterruptedException {
        Process process =
                new ProcessBuilder("sha256sum", "--check", "--strict", "MANIFEST.sha256")
                        .directory(folder.toFile())
                        .redirectErrorStream(true)
                        .start();
        process.getInputStream().transferTo(OutputStream.nullOutputStream());
        return process.waitFor();
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @FunctionalInterface
    public interface JmsMessageFactory {
        Message create(Session session) throws JMSException;
    }

    @FunctionalInterface
    public interface JmsCustomizer {
        void apply(Message message) throws JMSException;
    }
}
