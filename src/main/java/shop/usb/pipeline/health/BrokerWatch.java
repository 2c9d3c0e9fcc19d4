package shop.usb.pipeline.health;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.jms.client.ActiveMQConnection;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the broker is reachable, known from a connection of the watch's own that the broker
 * client pings, not from a send that waits out its timeouts: when that connection fails, or cannot
 * be made, the broker is away, and an HTTP submit is refused at once. The watch tries again every
 * retry interval until it connects. Readiness and /api/health read the same state.
 */
public final class BrokerWatch extends ServiceSupport {

    public static final String BEAN_NAME = "brokerWatch";
    private static final Logger LOG = LoggerFactory.getLogger(BrokerWatch.class);

    private final ConnectionFactory broker;
    private final Duration retryInterval;
    private final Clock clock;
    private ScheduledExecutorService thread;
    // Touched only on the watch's thread.
    private Connection connection;
    private volatile State state = new State(null, null, "The broker connection is being made");

    /** Away since when and why; both null while connected. */
    private record State(Instant awaySince, String error, String pending) {}

    /**
     * @param broker a factory that fails fast: no reconnection of its own, short pings
     */
    public BrokerWatch(ConnectionFactory broker, Duration retryInterval, Clock clock) {
        this.broker = broker;
        this.retryInterval = retryInterval;
        this.clock = clock;
    }

    /** Nothing while the broker is reachable, or not yet known to be away; else what is wrong. */
    public Optional<String> problem() {
        State now = state;
        if (now.awaySince() != null) {
            return Optional.of(
                    "The broker cannot be reached since " + now.awaySince() + ": " + now.error());
        }
        return Optional.ofNullable(now.pending());
    }

    /**
     * Refuses the caller's work while the broker is known to be away; lets it try while the first
     * connection is still being made (its send has bounded waits of its own).
     */
    public void requireReachable() {
        Instant since = state.awaySince();
        if (since != null) {
            throw new BrokerAwayException(since);
        }
    }

    @Override
    protected void doStart() {
        thread =
                Executors.newSingleThreadScheduledExecutor(
                        work -> {
                            Thread watch = new Thread(work, "broker-watch");
                            watch.setDaemon(true);
                            return watch;
                        });
        thread.execute(this::connect);
    }

    @Override
    protected void doStop() throws InterruptedException {
        thread.shutdownNow();
        thread.awaitTermination(5, TimeUnit.SECONDS);
        closeQuietly();
    }

    private void connect() {
        try {
            Connection made = broker.createConnection();
            connection = made;
            made.setExceptionListener(failure -> heard(made, failure));
            // A failure before the listener was set would never be heard of.
            if (made instanceof ActiveMQConnection artemis
                    && artemis.getSessionFactory().isClosed()) {
                throw new JMSException("The connection failed as it was made");
            }
            if (state.awaySince() != null) {
                LOG.info("The broker is reachable again");
            }
            state = new State(null, null, null);
        } catch (JMSException | RuntimeException e) {
            lost(e);
        }
    }

    /** A failure of a connection the watch has not already given up. */
    private void heard(Connection failed, JMSException failure) {
        try {
            thread.execute(
                    () -> {
                        if (connection == failed) {
                            lost(failure);
                        }
                    });
        } catch (RejectedExecutionException stopped) {
            // The watch stopped: nothing to track.
        }
    }

    private void lost(Exception failure) {
        closeQuietly();
        State before = state;
        if (before.awaySince() == null) {
            LOG.warn("The broker cannot be reached: {}", failure.toString());
            state = new State(clock.instant(), String.valueOf(failure.getMessage()), null);
        }
        if (!thread.isShutdown()) {
            thread.schedule(this::connect, retryInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void closeQuietly() {
        if (connection == null) {
            return;
        }
        try {
            connection.setExceptionListener(null);
            connection.close();
        } catch (JMSException | RuntimeException e) {
            // Already broken: nothing to release.
        }
        connection = null;
    }
}
