package shop.usb.pipeline.platform;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.spi.Registry;
import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.apache.camel.support.service.ServiceSupport;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;
import org.springframework.jms.connection.JmsTransactionManager;
import shop.usb.pipeline.health.BrokerWatch;

/**
 * What the pipeline runs on: the database (migrated on its own thread), the embedded broker, the
 * pooled broker connections with the JMS component, the watch on the broker, the demo data and the
 * metrics registry. Their services are added to Camel in the order they must stop in reverse.
 */
record Infrastructure(DataSource dataSource, BrokerWatch brokerWatch, MeterRegistry meterRegistry) {

    private static final String METRICS_REGISTRY = "metricsRegistry";
    private static final long BROKER_CALL_TIMEOUT_MS = 5_000;
    private static final long SUBMIT_CALL_TIMEOUT_MS = 4_000;
    // The watch's connection is checked every 2 s: a silent broker fails it within seconds, a
    // killed or cut one at once. Shorter would call a broker busy on a loaded machine away.
    private static final long WATCH_PING_PERIOD_MS = 2_000;
    private static final long WATCH_CONNECTION_TTL_MS = 6_000;
    private static final long WATCH_CALL_TIMEOUT_MS = 2_000;
    private static final Duration WATCH_RETRY_INTERVAL = Duration.ofMillis(250);

    /** Begins the database's and the embedded broker's start, and binds what routes use by name. */
    static Infrastructure start(CamelContext context, PipelineSettings settings) throws Exception {
        Registry registry = context.getRegistry();
        Database database = new Database(settings.database());
        context.addService(database.beginStart(), true, true);
        if (settings.broker().embedded()) {
            context.addService(
                    new EmbeddedBroker(context, settings.broker()).beginStart(), true, true);
        }
        DemoData.prepare(settings);
        DataSource dataSource = database.dataSource();
        registry.bind("dataSource", dataSource);
        // Services stop in reverse order: the pooled connections close before the embedded broker
        // stops.
        JmsPoolConnectionFactory brokerConnections =
                bindJms(
                        context,
                        "jms",
                        connectionPool(
                                settings.broker(),
                                settings.broker().maxConnections(),
                                BROKER_CALL_TIMEOUT_MS));
        // The status events' relay has a connection of its own: while the broker is away its
        // attempts to connect wait out their timeouts there, not in the pool intake and the API
        // draw from (an HTTP submit must get its 503 in seconds).
        bindJms(context, "relayJms", connectionPool(settings.broker(), 1, BROKER_CALL_TIMEOUT_MS));
        // An HTTP submit's one send has a connection of its own with a shorter bound: its client
        // waits, and may send again (the order id makes that safe). The watch refuses submits at
        // once when it knows the broker is away; this bounds the moments before it knows.
        bindJms(context, "submitJms", connectionPool(settings.broker(), 1, SUBMIT_CALL_TIMEOUT_MS));
        BrokerWatch brokerWatch =
                new BrokerWatch(
                        watchConnection(settings.broker()),
                        WATCH_RETRY_INTERVAL,
                        Clock.systemUTC());
        context.addService(brokerWatch, true, true);
        registry.bind(BrokerWatch.BEAN_NAME, brokerWatch);
        // Routes marked "transacted: jmsTransaction" send all their messages in one JMS
        // transaction.
        registry.bind(
                "jmsTransaction",
                new SpringTransactionPolicy(new JmsTransactionManager(brokerConnections)));
        return new Infrastructure(dataSource, brokerWatch, meterRegistry(registry));
    }

    /**
     * The registry /observe/metrics scrapes: camel-micrometer-prometheus binds it early; otherwise
     * it finds this one.
     */
    private static MeterRegistry meterRegistry(Registry registry) {
        MeterRegistry existing =
                registry.lookupByNameAndType(METRICS_REGISTRY, MeterRegistry.class);
        if (existing != null) {
            return existing;
        }
        PrometheusMeterRegistry created = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.bind(METRICS_REGISTRY, created);
        return created;
    }

    /**
     * One pool of broker connections for all consumers and producers; a bare factory connects per
     * send.
     */
    private static JmsPoolConnectionFactory connectionPool(
            PipelineSettings.Broker settings, int maxConnections, long callTimeoutMillis) {
        ActiveMQConnectionFactory broker =
                new ActiveMQConnectionFactory(settings.url(), settings.user(), settings.password());
        // Take one message at a time: a worker that buffered job messages would sit on them while
        // others idle.
        broker.setConsumerWindowSize(0);
        // Each send would otherwise ask the broker twice or three times whether its queue exists.
        broker.setCacheDestinations(true);
        // A blocking call (a send, a commit) on a broker that went silent fails after this, instead
        // of hanging its thread (and an HTTP caller, who gets a 503) for the default 30 s.
        broker.setCallTimeout(callTimeoutMillis);
        // With a failover URL (ha=true, reconnectAttempts) a call made while the client fails over
        // waits at most as long too, instead of 30 s (or for ever, while a lone broker stays away).
        broker.setCallFailoverTimeout(callTimeoutMillis);
        JmsPoolConnectionFactory pool = new JmsPoolConnectionFactory();
        pool.setConnectionFactory(broker);
        pool.setMaxConnections(maxConnections);
        return pool;
    }

    /**
     * A JMS component by this name on the pool, which closes with the context. No route answers a
     * message: a JMSReplyTo from outside must not make one send anywhere.
     */
    private static JmsPoolConnectionFactory bindJms(
            CamelContext context, String name, JmsPoolConnectionFactory pool) throws Exception {
        context.addService(new StopAction(pool::stop), true, true);
        JmsComponent jms = JmsComponent.jmsComponent(pool);
        jms.getConfiguration().setDisableReplyTo(true);
        context.getRegistry().bind(name, jms);
        return pool;
    }

    /**
     * The broker watch's own connection: no reconnection of its own (the watch retries, and must
     * hear of each failure), short pings, one short attempt.
     */
    private static ActiveMQConnectionFactory watchConnection(PipelineSettings.Broker settings) {
        ActiveMQConnectionFactory broker =
                new ActiveMQConnectionFactory(settings.url(), settings.user(), settings.password());
        broker.setReconnectAttempts(0);
        broker.setInitialConnectAttempts(1);
        broker.setClientFailureCheckPeriod(WATCH_PING_PERIOD_MS);
        broker.setConnectionTTL(WATCH_CONNECTION_TTL_MS);
        broker.setCallTimeout(WATCH_CALL_TIMEOUT_MS);
        broker.setCallFailoverTimeout(WATCH_CALL_TIMEOUT_MS);
        return broker;
    }

    /** Something Camel does not own, stopped with the context. */
    private static final class StopAction extends ServiceSupport {
        private final Runnable stop;

        StopAction(Runnable stop) {
            this.stop = stop;
        }

        @Override
        protected void doStop() {
            stop.run();
        }
    }
}
