package db.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import shop.usb.pipeline.intake.OrderConfirmationValidator;

/**
 * Search by business key (GET /api/jobs?q=): the customer's name kept beside the order
 * (lower-cased, for a case-blind prefix match) and indexes for each key. In Java because PostgreSQL
 * needs what H2 does not have: a prefix LIKE uses a b-tree index there only with pattern operators
 * (unless the database's collation is C), and a partial index keeps a search of error messages to
 * failed jobs. Jobs from before this migration get their customer's name from their stored order.
 */
public class V10__JobSearch extends BaseJavaMigration {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        boolean postgres =
                connection
                        .getMetaData()
                        .getDatabaseProductName()
                        .toLowerCase(Locale.ROOT)
                        .contains("postgres");
        String patternOps = postgres ? " varchar_pattern_ops" : "";
        try (Statement ddl = connection.createStatement()) {
            ddl.execute("ALTER TABLE processing_jobs ADD COLUMN customer_key VARCHAR(200)");
            ddl.execute(
                    "CREATE INDEX processing_jobs_order_prefix ON processing_jobs (order_id"
                            + patternOps
                            + ")");
            ddl.execute(
                    "CREATE INDEX processing_jobs_customer_key ON processing_jobs (customer_key"
                            + patternOps
                            + ")");
            ddl.execute(
                    "CREATE INDEX processing_jobs_error_code ON processing_jobs (error_code, created_at)");
            if (postgres) {
                ddl.execute(
                        "CREATE INDEX processing_jobs_with_error ON processing_jobs (created_at)"
                                + " WHERE error_message IS NOT NULL");
            }
        }
        try (Statement read = connection.createStatement();
                PreparedStatement update =
                        connection.prepareStatement(
                                "UPDATE processing_jobs SET customer_key = ? WHERE id = ?")) {
            read.setFetchSize(
                    500); // a cursor, not the whole table in memory (Flyway runs this in a
            // transaction)
            ResultSet jobs = read.executeQuery("SELECT id, order_json FROM processing_jobs");
            int pending = 0;
            while (jobs.next()) {
                String key =
                        OrderConfirmationValidator.customerKey(
                                readTree(jobs.getString("order_json")));
                if (key != null) {
                    update.setString(1, key);
                    update.setString(2, jobs.getString("id"));
                    update.addBatch();
                    if (++pending % 500 == 0) {
                        update.executeBatch();
                    }
                }
            }
            update.executeBatch();
        }
    }

    private static JsonNode readTree(String orderJson) {
        try {
            return JSON.readTree(orderJson);
        } catch (Exception notJson) {
            return null;
        }
    }
}
