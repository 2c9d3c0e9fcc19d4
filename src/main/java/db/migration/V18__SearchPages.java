package db.migration;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.Locale;
import java.util.Set;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A page of a search among a million jobs in milliseconds (search-jobs.sql): jobs newest first by
 * an index, for keys many jobs share and for the plain list; and on PostgreSQL a trigram index on
 * the error messages of the jobs that have one, for words anywhere in a message. The trigram index
 * needs the pg_trgm extension (PostgreSQL's contrib, trusted: the database's owner may create it);
 * where it cannot be created the migration goes on without it, and says so: a search is then
 * correct but slow for rare words in messages (docs/data.md says how to add the index later).
 */
public class V18__SearchPages extends BaseJavaMigration {

    private static final Logger LOG = LoggerFactory.getLogger(V18__SearchPages.class);
    // The extension's files are not installed (58P01), may not be created here (42501), or the
    // server cannot have it (0A000); anything else is a fault to stop on.
    private static final Set<String> UNAVAILABLE = Set.of("58P01", "42501", "0A000");

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        try (Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE INDEX processing_jobs_created ON processing_jobs (created_at, id)");
        }
        if (connection
                .getMetaData()
                .getDatabaseProductName()
                .toLowerCase(Locale.ROOT)
                .contains("postgres")) {
            createTrigramIndex(connection);
        }
    }

    private static void createTrigramIndex(Connection connection) throws SQLException {
        // Flyway runs the migration in a transaction: a refused CREATE EXTENSION must not abort it.
        Savepoint before = connection.setSavepoint();
        try (Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm");
            String schema;
            try (ResultSet found =
                    ddl.executeQuery(
                            "SELECT extnamespace::regnamespace::text FROM pg_extension"
                                    + " WHERE extname = 'pg_trgm'")) {
                found.next();
                schema = found.getString(1);
            }
            // The operator class named with its schema: the extension may live outside the
            // search path. fastupdate off: a pending list would be read by every search until
            // autovacuum flushes it.
            ddl.execute(
                    "CREATE INDEX processing_jobs_error_words ON processing_jobs USING gin"
                            + " (LOWER(error_message) "
                            + schema
                            + ".gin_trgm_ops) WITH (fastupdate = off)"
                            + " WHERE error_message IS NOT NULL");
            connection.releaseSavepoint(before);
        } catch (SQLException refused) {
            if (!UNAVAILABLE.contains(refused.getSQLState())) {
                throw refused;
            }
            connection.rollback(before);
            LOG.warn(
                    "No trigram index on error messages (pg_trgm: {}): a search for words in"
                            + " messages stays correct but reads every failed job; see"
                            + " docs/data.md to add it later",
                    refused.getMessage());
        }
    }
}
