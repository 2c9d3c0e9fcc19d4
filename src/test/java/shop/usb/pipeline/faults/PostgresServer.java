package shop.usb.pipeline.faults;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

/**
 * A PostgreSQL 17 server of its own (zonky's binaries) on a fixed data directory and port, which a
 * test stops hard (SIGKILL of the postmaster, as a crash or an immediate stop would) and starts
 * again.
 */
final class PostgresServer implements AutoCloseable {

    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres server;

    PostgresServer(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    int port() {
        return port;
    }

    String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    void start() throws IOException {
        // Durable, as a production server is: zonky's defaults (fsync and synchronous_commit off)
        // lose
        // commits the server already confirmed when it is killed, which no client could survive.
        server =
                EmbeddedPostgres.builder()
                        .setDataDirectory(dataDir)
                        .setCleanDataDirectory(false)
                        .setPort(port)
                        .setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("full_page_writes", "on")
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .start();
    }

    void createDatabase(String name) throws Exception {
        try (Connection connection = server.getPostgresDatabase().getConnection();
                Statement sql = connection.createStatement()) {
            sql.execute("CREATE DATABASE " + name);
        }
    }

    /** The postmaster and its backends are killed: no checkpoint, no goodbye to the clients. */
    void crash() throws IOException {
        long postmaster =
                Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        ProcessHandle.of(postmaster)
                .ifPresent(
                        process -> {
                            process.descendants().forEach(ProcessHandle::destroyForcibly);
                            process.destroyForcibly();
                            process.onExit().join();
                        });
        try {
            server.close(); // releases zonky's lock on the data directory; the server is already
            // gone
        } catch (IOException | RuntimeException alreadyDown) {
            // Expected: pg_ctl finds no server to stop.
        }
        Files.deleteIfExists(dataDir.resolve("postmaster.pid"));
        server = null;
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }
}
