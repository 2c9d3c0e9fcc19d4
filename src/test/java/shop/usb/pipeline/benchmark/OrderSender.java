package shop.usb.pipeline.benchmark;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * Sends order confirmations the way a busy shop would: several connections, each committing small
 * batches of persistent messages. Remembers when each order was sent (after its commit).
 */
final class OrderSender {

    static final int THREADS = 4;
    static final int BATCH = 25;

    private final ActiveMQConnectionFactory factory;
    private final String queue;
    private final Map<String, Instant> sentAt = new ConcurrentHashMap<>();

    OrderSender(String brokerUrl, String user, String password, String queue) {
        this.factory = new ActiveMQConnectionFactory(brokerUrl, user, password);
        this.queue = queue;
    }

    Map<String, Instant> sentAt() {
        return sentAt;
    }

    /**
     * Sends orders 0..count-1 as fast as the broker takes them; {@code order} gives id and JSON of
     * order i.
     */
    void sendAll(int count, IntFunction<String[]> order) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Object>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int lane = t;
                done.add(
                        threads.submit(
                                () -> {
                                    try (Connection connection = factory.createConnection();
                                            Session session =
                                                    connection.createSession(
                                                            true, Session.SESSION_TRANSACTED)) {
                                        MessageProducer producer =
                                                session.createProducer(session.createQueue(queue));
                                        List<String> batch = new ArrayList<>();
                                        for (int i = lane; i < count; i += THREADS) {
                                            String[] idAndJson = order.apply(i);
                                            producer.send(session.createTextMessage(idAndJson[1]));
                                            batch.add(idAndJson[0]);
                                            if (batch.size() == BATCH) {
                                                commit(session, batch);
                                            }
                                        }
                                        commit(session, batch);
                                    }
                                    return null;
                                }));
            }
            for (Future<Object> f : done) {
                f.get();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /** Sends {@code count} orders at {@code perSecond}, one small transaction every 20 ms. */
    void sendPaced(int count, double perSecond, IntFunction<String[]> order) throws Exception {
        try (Connection connection = factory.createConnection();
                Session session = connection.createSession(true, Session.SESSION_TRANSACTED)) {
            MessageProducer producer = session.createProducer(session.createQueue(queue));
            long start = System.nanoTime();
            int sent = 0;
            List<String> batch = new ArrayList<>();
            while (sent < count) {
                long due =
                        Math.min(count, (long) ((System.nanoTime() - start) / 1e9 * perSecond) + 1);
                while (sent < due) {
                    String[] idAndJson = order.apply(sent++);
                    producer.send(session.createTextMessage(idAndJson[1]));
                    batch.add(idAndJson[0]);
                }
                commit(session, batch);
                LockSupport.parkNanos(20_000_000);
            }
        }
    }

    private void commit(Session session, List<String> batch) throws JMSException {
        session.commit();
        Instant now = Instant.now();
        batch.forEach(id -> sentAt.put(id, now));
        batch.clear();
    }
}
