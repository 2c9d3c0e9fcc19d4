package shop.usb.pipeline.platform;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

/** The connection pool, with the schema migrated before anything uses it. */
public final class Database {

    private Database() {
    }

    public static HikariDataSource open(PipelineSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("pipeline-db");
        config.setJdbcUrl(settings.dbUrl());
        if (!settings.dbUser().isEmpty()) {
            config.setUsername(settings.dbUser());
            config.setPassword(settings.dbPassword());
        }
        config.setMaximumPoolSize(settings.dbPoolSize());
        HikariDataSource dataSource = new HikariDataSource(config);
        migrate(dataSource);
        return dataSource;
    }

    public static void migrate(DataSource dataSource) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }
}
