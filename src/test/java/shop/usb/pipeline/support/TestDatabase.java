package shop.usb.pipeline.support;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import shop.usb.pipeline.platform.Database;

/**
 * Where a test product keeps its jobs: an H2 file, or a fresh database on a real PostgreSQL server.
 */
public interface TestDatabase {

    String url();

    String user();

    String password();

    /** A connection pool on this database with the product's migrations applied. */
    default HikariDataSource openMigrated() {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(url());
        if (!user().isEmpty()) {
            dataSource.setUsername(user());
            dataSource.setPassword(password());
        }
        Database.migrate(dataSource);
        return dataSource;
    }

    static TestDatabase h2(Path folder) {
        String url =
                "jdbc:h2:file:"
                        + folder.resolve("pipeline")
                        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
        return new Fixed(url, "", "");
    }

    /**
     * A new, empty database on the one PostgreSQL server this JVM starts from embedded binaries.
     */
    static TestDatabase postgres() {
        String name = "pipeline_" + PostgresServer.COUNTER.incrementAndGet();
        try (Connection connection = PostgresServer.INSTANCE.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create test database " + name, e);
        }
        return new Fixed(
                PostgresServer.INSTANCE.getJdbcUrl("postgres", name), "postgres", "postgres");
    }

    record Fixed(String url, String user, String password) implements TestDatabase {}

    /** The databases the product runs on; {@link OnEachDatabase} runs a test class on each. */
    enum Engine {
        H2,
        POSTGRES;

        /** A new, empty database for a product whose files live under {@code root}. */
        public TestDatabase create(Path root) {
            return this == H2 ? h2(root.resolve("db")) : postgres();
        }
    }

    /** Started on first use, stopped when the JVM exits. */
    final class PostgresServer {
        static final AtomicInteger COUNTER = new AtomicInteger();
        static final EmbeddedPostgres INSTANCE = start();

        private PostgresServer() {}

        private static EmbeddedPostgres start() {
            try {
                // pg_stat_statements counts the product's round trips in the benchmark.
                EmbeddedPostgres server =
                        EmbeddedPostgres.builder()
                                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                                .start();
                Runtime.getRuntime()
                        .addShutdownHook(
                                new Thread(
                                        () -> {
                                            try {
                                                server.close();
                                            } catch (IOException ignored) {
                                                // the JVM is exiting; the server's folder is
                                                // temporary
                                            }
                                        }));
                return server;
            } catch (IOException e) {
                throw new IllegalStateException("Cannot start the embedded PostgreSQL server", e);
            }
        }
    }
}
