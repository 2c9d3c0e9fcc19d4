package shop.usb.pipeline.benchmark;

import java.net.URI;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

/**
 * The product's round trips to PostgreSQL, counted by pg_stat_statements (the test server preloads
 * it): the product connects as a role of its own, which owns its database, so the benchmark's own
 * queries are not counted. BEGIN goes out with the first statement of its transaction and is not
 * counted; a transaction of several statements adds one COMMIT.
 */
final class RoundTrips {

    static final String PRODUCT_ROLE = "benchmark_product";
    static final String PRODUCT_PASSWORD = "benchmark_product";

    private final JdbcTemplate sql;
    private final String productUrl;
    private long transactionsBefore;
    private long[] jobUpdatesBefore;

    /** Creates the product's role, gives it the database, and loads the counter there. */
    RoundTrips(DataSource superuser, String jdbcUrl) {
        this.sql = new JdbcTemplate(superuser);
        URI server = URI.create(jdbcUrl.substring("jdbc:".length()));
        String database = server.getPath().substring(1);
        // Without the URL's user=: PgJDBC lets the URL's user win over the pool's.
        this.productUrl =
                "jdbc:postgresql://" + server.getHost() + ":" + server.getPort() + "/" + database;
        if (sql.queryForObject(
                        "SELECT COUNT(*) FROM pg_roles WHERE rolname = ?",
                        Integer.class,
                        PRODUCT_ROLE)
                == 0) {
            sql.execute(
                    "CREATE ROLE " + PRODUCT_ROLE + " LOGIN PASSWORD '" + PRODUCT_PASSWORD + "'");
        }
        sql.execute("ALTER DATABASE " + database + " OWNER TO " + PRODUCT_ROLE);
        sql.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    }

    /** The database's URL for the product, which connects as {@link #PRODUCT_ROLE}. */
    String productUrl() {
        return productUrl;
    }

    void reset() {
        sql.queryForList("SELECT pg_stat_statements_reset()");
        transactionsBefore = transactions();
        jobUpdatesBefore = jobUpdates();
    }

    /**
     * Updates of processing_jobs so far, and how many were HOT (heap-only: no index entry written).
     */
    private long[] jobUpdates() {
        sql.queryForList("SELECT pg_stat_clear_snapshot()");
        return sql.queryForObject(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables"
                        + " WHERE relname = 'processing_jobs'",
                (rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)});
    }

    /**
     * Statements the product sent since the last reset, and the database's transactions meanwhile
     * (the benchmark's few polls among them). pg_stat_statements does not see COMMIT.
     */
    Count count() {
        long statements =
                sql.queryForObject(
                        """
                        SELECT COALESCE(SUM(calls), 0) FROM pg_stat_statements
                         WHERE userid = (SELECT oid FROM pg_roles WHERE rolname = ?)
                           AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                           AND query !~* '^\\s*(begin|commit|rollback)'""",
                        Long.class,
                        PRODUCT_ROLE);
        return new Count(statements, transactions() - transactionsBefore);
    }

    private long transactions() {
        // The statistics are a snapshot per transaction: read them fresh.
        sql.queryForList("SELECT pg_stat_clear_snapshot()");
        return sql.queryForObject(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database"
                        + " WHERE datname = current_database()",
                Long.class);
    }

    /** Each statement the product sent since the last reset, most frequent first, per job. */
    String perJob(int jobs) {
        StringBuilder out = new StringBuilder("Round trips per job, by statement:");
        sql.query(
                """
                SELECT calls, regexp_replace(left(query, 90), '\\s+', ' ', 'g') AS query
                  FROM pg_stat_statements
                 WHERE userid = (SELECT oid FROM pg_roles WHERE rolname = ?)
                   AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                   AND query !~* '^\\s*begin'
                 ORDER BY calls DESC LIMIT 25""",
                (RowCallbackHandler)
                        rs -> {
                            out.append(
                                    Figures.format(
                                            "%n  %.2f  %s",
                                            rs.getLong("calls") / (double) jobs,
                                            rs.getString("query")));
                        },
                PRODUCT_ROLE);
        long[] jobUpdates = jobUpdates();
        long updates = jobUpdates[0] - jobUpdatesBefore[0];
        out.append(
                Figures.format(
                        "%nprocessing_jobs: %.2f row updates per job, %.2f of them HOT (no index"
                                + " entries written; each other one adds an entry to every index"
                                + " of the table)",
                        updates / (double) jobs,
                        (jobUpdates[1] - jobUpdatesBefore[1]) / (double) jobs));
        return out.append(System.lineSeparator()).toString();
    }

    record Count(long statements, long transactions) {
        double statementsPerJob(int jobs) {
            return statements / (double) jobs;
        }

        double transactionsPerJob(int jobs) {
            return transactions / (double) jobs;
        }
    }
}
