package shop.usb.pipeline.support;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import shop.usb.pipeline.PipelineApplication;

/**
 * The product in a JVM of its own, as {@code java -jar} would run it but from the test classpath:
 * for tests that kill it and benchmarks that measure its memory and startup. Its classes run from a
 * jar, as they ship (a class data sharing archive holds only classes that come from jars).
 */
public final class ProductProcess implements AutoCloseable {

    private static String productClasspath;

    private final Process process;
    private final int httpPort;
    private final HttpClient http = HttpClient.newHttpClient();

    private ProductProcess(Process process, int httpPort) {
        this.process = process;
        this.httpPort = httpPort;
    }

    /**
     * Starts the product with {@code -Dkey=value} for each property (camel.server.port among them)
     * and waits until its API answers. The output is appended to {@code log}.
     */
    public static ProductProcess start(
            List<String> jvmOptions, Map<String, String> properties, Path log) throws IOException {
        return start(List.of(), jvmOptions, properties, Map.of(), log);
    }

    /**
     * As {@link #start(List, Map, Path)}, run through {@code wrapper} (a command that execs the
     * rest, such as {@code unshare}) with {@code environment} added to this JVM's.
     */
    public static ProductProcess start(
            List<String> wrapper,
            List<String> jvmOptions,
            Map<String, String> properties,
            Map<String, String> environment,
            Path log)
            throws IOException {
        ProductProcess product = launch(wrapper, jvmOptions, properties, environment, log);
        product.awaitReady();
        return product;
    }

    /** As {@link #start}, without waiting for the product to answer: it may stop before it does. */
    public static ProductProcess launch(
            List<String> wrapper,
            List<String> jvmOptions,
            Map<String, String> properties,
            Map<String, String> environment,
            Path log)
            throws IOException {
        String classpath = productClasspath();
        List<String> command = new ArrayList<>(wrapper);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add(PipelineApplication.class.getName());
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        return new ProductProcess(process, Integer.parseInt(properties.get("camel.server.port")));
    }

    /**
     * The test classpath with the product's classes folder packed into a jar and the test classes
     * left out. An empty entry would put the working directory (the repository root, with routes/)
     * on the classpath, so there is none.
     */
    private static synchronized String productClasspath() throws IOException {
        if (productClasspath == null) {
            Path productClasses = codeSource(PipelineApplication.class);
            Path testClasses = codeSource(ProductProcess.class);
            Path productJar = productClasses.resolveSibling("product-classes.jar");
            packJar(productClasses, productJar);
            productClasspath =
                    Arrays.stream(
                                    System.getProperty(
                                                    "surefire.test.class.path",
                                                    System.getProperty("java.class.path"))
                                            .split(File.pathSeparator))
                            .filter(entry -> !entry.isBlank())
                            .map(entry -> Path.of(entry).toAbsolutePath())
                            .filter(entry -> !entry.equals(testClasses))
                            .map(entry -> entry.equals(productClasses) ? productJar : entry)
                            .map(Path::toString)
                            .collect(Collectors.joining(File.pathSeparator));
        }
        return productClasspath;
    }

    private static Path codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toAbsolutePath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Folders get entries of their own: resource scanners (Flyway's among them) look folders up by
     * name.
     */
    private static void packJar(Path folder, Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> paths = Files.walk(folder)) {
            for (Path path :
                    (Iterable<Path>) paths.filter(path -> !path.equals(folder))::iterator) {
                String name = folder.relativize(path).toString().replace(File.separatorChar, '/');
                boolean isFolder = Files.isDirectory(path);
                out.putNextEntry(new JarEntry(isFolder ? name + "/" : name));
                if (!isFolder) {
                    Files.copy(path, out);
                }
                out.closeEntry();
            }
        }
    }

    public long pid() {
        return process.pid();
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs a JSON body as a client on this machine would (the header loopback clients send). */
    public HttpResponse<String> post(String path, String json)
            throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .header("X-Requested-By", "test")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end by itself; its exit status. */
    public int awaitExit(Duration atMost) throws InterruptedException {
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("The product did not stop within " + atMost);
        }
        return process.exitValue();
    }

    /**
     * SIGTERM, as an orchestrator stops it: it stops taking work and finishes or hands back what it
     * runs.
     */
    public void terminate(Duration atMost) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(
                    "The product did not stop within " + atMost + " of SIGTERM");
        }
    }

    /** SIGKILL, as a power cut or the OOM killer would end it. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            kill();
        }
    }

    /** Waits until the product's API answers; fails when the process exits first. */
    public void awaitReady() {
        Awaitility.await("the product to answer")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20))
                .ignoreExceptions()
                .until(
                        () -> {
                            if (!process.isAlive()) {
                                throw new IllegalStateException(
                                        "The product exited with " + process.exitValue());
                            }
                            // /api/health needs no token (the prod profile's reads do) and answers
                            // once the routes run.
                            int status = get("/api/health").statusCode();
                            return status == 200 || status == 503;
                        });
    }
}
