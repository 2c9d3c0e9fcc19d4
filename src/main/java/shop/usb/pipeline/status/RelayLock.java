package shop.usb.pipeline.status;

import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import shop.usb.pipeline.job.SqlStatements;

/**
 * One relay poll at a time across instances (the camel-sql consumer's {@code pollStrategy}): each
 * poll runs in a database transaction that first locks the relay's row, and the consumer's own
 * statements (its read, each onConsume mark) join it, being on the same DataSource and thread. Two
 * instances that both sent one event would lean on the broker's duplicate detection, which drops
 * the second copy as soon as the first is routed, before it is stored: the second instance would
 * then send the order's next event, which could overtake the first.
 */
public class RelayLock implements PollingConsumerPollStrategy {

    private final DataSourceTransactionManager transactions;
    private final NamedParameterJdbcTemplate jdbc;
    private final String name;
    private final ThreadLocal<TransactionStatus> current = new ThreadLocal<>();

    /** {@code name}: the relay's row in relay_locks. */
    public RelayLock(DataSource dataSource, String name) {
        this.transactions = new DataSourceTransactionManager(dataSource);
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.name = name;
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        current.set(transactions.getTransaction(TransactionDefinition.withDefaults()));
        try {
            jdbc.queryForObject(
                    SqlStatements.get("lock-relay"), Map.of("name", name), String.class);
        } catch (RuntimeException e) {
            TransactionStatus status = current.get();
            current.remove();
            transactions.rollback(status);
            throw e;
        }
        return true;
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        end();
    }

    /**
     * A send failed: the marks of the events sent before it are true, so they commit too; the
     * failed event stays unsent for the next poll.
     */
    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception e) {
        end();
        return false;
    }

    private void end() {
        TransactionStatus status = current.get();
        current.remove();
        if (status != null && !status.isCompleted()) {
            transactions.commit(status);
        }
    }
}
