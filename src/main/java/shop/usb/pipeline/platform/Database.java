package shop.usb.pipeline.platform;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

/**
 * The connection pool. It connects lazily; the schema is migrated on the start thread, and Camel
 * starts no route before that is done. The pool closes when Camel stops, after the routes.
 */
public final class Database extends EarlyStartingService {

    private final HikariDataSource dataSource = new HikariDataSource();

    public Database(PipelineSettings settings) {
        dataSource.setPoolName("pipeline-db");
        dataSource.setJdbcUrl(settings.dbUrl());
        if (!settings.dbUser().isEmpty()) {
            dataSource.setUsername(settings.dbUser());
            dataSource.setPassword(settings.dbPassword());
        }
        dataSource.setMaximumPoolSize(settings.dbPoolSize());
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
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }
}
