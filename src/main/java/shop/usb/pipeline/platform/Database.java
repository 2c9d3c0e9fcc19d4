package shop.usb.pipeline.platform;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The connection pool. It connects lazily; the schema is migrated on the start thread, and Camel
 * starts no route before that is done. The pool closes when Camel stops, after the routes.
 */
public final class Database extends EarlyStartingService {

    private final HikariDataSource dataSource = new HikariDataSource();

    public Database(PipelineSettings.DatabaseConnection connection) {
        dataSource.setPoolName("pipeline-db");
        dataSource.setJdbcUrl(connection.url());
        if (!connection.user().isEmpty()) {
            dataSource.setUsername(connection.user());
            dataSource.setPassword(connection.password());
        }
        dataSource.setMaximumPoolSize(connection.poolSize());
        // No wait on the database is unbounded: a caller gives up on the pool after the connection
        // timeout, and on PostgreSQL a half-open connection (a network cut, a server gone silent)
        // fails a statement after the socket timeout instead of hanging its worker for ever.
        dataSource.setConnectionTimeout(connection.connectionTimeout().toMillis());
        dataSource.setValidationTimeout(Math.min(3_000, connection.connectionTimeout().toMillis()));
        dataSource.setKeepaliveTime(Duration.ofSeconds(30).toMillis());
        if (connection.url().startsWith("jdbc:postgresql:")) {
            long socketSeconds = Math.max(1, connection.socketTimeout().toSeconds());
            dataSource.addDataSourceProperty("socketTimeout", String.valueOf(socketSeconds));
            dataSource.addDataSourceProperty(
                    "connectTimeout",
                    String.valueOf(Math.max(1, connection.connectionTimeout().toSeconds())));
            dataSource.addDataSourceProperty("tcpKeepAlive", "true");
            // A batch of inserts (a run's log lines) goes as one multi-row INSERT, not a
            // statement per row. Only inserts are rewritten: the heartbeat's batch of updates
            // keeps its update count per row.
            dataSource.addDataSourceProperty("reWriteBatchedInserts", "true");
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    protected void startEarly() {
        migrate(dataSource);
    }

    @Override
    protected void doStop() {
        dataSource.close();
    }

    public static void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }
}
