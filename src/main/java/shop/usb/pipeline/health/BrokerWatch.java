package shop.usb.pipeline.health;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the broker is reachable, known from a connection of the watch's own that the broker
 * client pings and the watch checks with a round trip every 5 s, not from a send that waits out its
 * timeouts: when that connection fails, and a new one cannot be made at once, the broker is away,
 * and an HTTP submit is refused at once. The watch tries again every retry interval until it
 * connects. Readiness and /api/health read the same state.
 */
public final class BrokerWatch extends ServiceSupport {

    public static final String BEAN_NAME = "brokerWatch";
    private static final Logger LOG = LoggerFactory.getLogger(BrokerWatch.class);
    private static final long CHECK_PERIOD_MS = 5_000;

    private final ConnectionFactory broker;
    private final Duration retryInterval;
    private final Clock clock;
    private ScheduledExecutorService thread;
    // Touched only on the watch's thread.
    private Connection connection;
    private int failuresInARow;
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
            // A round trip once the listener is set: a failure before it would not be heard of.
            roundTrip(made);
            if (state.awaySince() != null) {
                LOG.info("The broker is reachable again");
            }
            state = new State(null, null, null);
            failuresInARow = 0;
            thread.schedule(() -> check(made), CHECK_PERIOD_MS, TimeUnit.MILLISECONDS);
        } catch (JMSException | RuntimeException e) {
            lost(e);
        }
    }

    /**
     * A round trip now and then while connected: what the client's pings miss (a failure it
     * reported before anyone listened, a broker that answers pings but nothing else) shows here.
     */
    private void check(Connection checked) {
        if (connection != checked) {
            return; // that connection was given up; its successor has checks of its own
        }
        try {
            roundTrip(checked);
            thread.schedule(() -> check(checked), CHECK_PERIOD_MS, TimeUnit.MILLISECONDS);
        } catch (JMSException | RuntimeException e) {
            lost(e);
        }
    }

    /** Opens and closes a session: the broker answers both, within the factory's call timeout. */
    private static void roundTrip(Connection made) throws JMSException {
        made.createSession(false, Session.AUTO_ACKNOWLEDGE).close();
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

    /**
     * The connection failed, or could not be made: tried again at once, and only a second failure
     * in a row calls the broker away (one slow answer on a busy machine must not refuse submits).
     */
    private void lost(Exception failure) {
        closeQuietly();
        failuresInARow++;
        if (failuresInARow >= 2 && state.awaySince() == null) {
            LOG.warn("The broker cannot be reached: {}", failure.toString());
            state = new State(clock.instant(), String.valueOf(failure.getMessage()), null);
        }
        if (!thread.isShutdown()) {
            thread.schedule(
                    this::connect,
                    failuresInARow == 1 ? 0 : retryInterval.toMillis(),
                    TimeUnit.MILLISECONDS);
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
