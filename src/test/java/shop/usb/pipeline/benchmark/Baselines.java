package shop.usb.pipeline.benchmark;

import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import shop.usb.pipeline.job.Delivery;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobLogLevel;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.job.PlannedSize;
import shop.usb.pipeline.job.RunRecord;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.lease.Lease;
import shop.usb.pipeline.station.Demand;
import shop.usb.pipeline.station.SlotAllocator.TakenSlot;
import shop.usb.pipeline.support.Stations;

/**
 * The raw limits of the parts under the product, measured in the same run: the broker moving the
 * same messages, the database running the same statements, the disk copying and hashing the same
 * files.
 */
final class Baselines {

    private Baselines() {}

    /**
     * An order's messages with no work between them: the confirmation is produced, taken by a
     * transacted consumer that sends a job message in the same transaction (as intake does), and
     * that job message is taken by a worker (client acknowledge). Returns orders per second.
     */
    static double broker(String url, String user, String password, int orders) throws Exception {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url, user, password);
        factory.setConsumerWindowSize(0);
        String orderQueue = "baseline.orders." + System.nanoTime();
        String jobQueue = "baseline.jobs." + System.nanoTime();
        CountDownLatch done = new CountDownLatch(orders);
        List<Connection> connections = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Connection connection = factory.createConnection();
                connections.add(connection);
                Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
                MessageProducer forward = session.createProducer(session.createQueue(jobQueue));
                session.createConsumer(session.createQueue(orderQueue))
                        .setMessageListener(
                                message -> {
                                    try {
                                        forward.send(session.createTextMessage("job"));
                                        session.commit();
                                    } catch (Exception e) {
                                        throw new IllegalStateException(e);
                                    }
                                });
                connection.start();
            }
            for (int i = 0; i < 4; i++) {
                Connection connection = factory.createConnection();
                connections.add(connection);
                Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
                session.createConsumer(session.createQueue(jobQueue))
                        .setMessageListener(
                                message -> {
                                    try {
                                        message.acknowledge();
                                        done.countDown();
                                    } catch (Exception e) {
                                        throw new IllegalStateException(e);
                                    }
                                });
                connection.start();
            }
            OrderSender sender = new OrderSender(url, user, password, orderQueue);
            long start = System.nanoTime();
            sender.sendAll(orders, i -> new String[] {"B-" + i, "{\"orderId\":\"B-" + i + "\"}"});
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("Broker baseline did not finish");
            }
            return orders / ((System.nanoTime() - start) / 1e9);
        } finally {
            for (Connection connection : connections) {
                connection.close();
            }
        }
    }

    /**
     * The job table's statements for one job, in the order a job runs them (intake, claim, four
     * stages, mount lease, progress, completion), on {@code threads} threads. Returns jobs per
     * second.
     */
    static double database(DataSource dataSource, Path mount, int jobs, int threads)
            throws Exception {
        Clock clock = Clock.systemUTC();
        JobLifecycle repository = new JobLifecycle(dataSource, "test", clock);
        RunRecord record = new RunRecord(dataSource, "test", Duration.ofSeconds(1), clock);
        String prefix = "DB-" + System.nanoTime() + "-";
        // One lease row per lane's own mount path, as the product has a mount per worker.
        List<Stations> allocators = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Files.createDirectories(mount.resolve("m" + t));
            allocators.add(
                    Stations.folders(
                            dataSource, Duration.ofSeconds(30), false, mount.resolve("m" + t)));
        }
        double seconds =
                inLanes(
                        threads,
                        jobs,
                        (lane, i) -> runJob(repository, record, allocators.get(lane), prefix + i));
        return jobs / seconds;
    }

    private static void runJob(
            JobLifecycle jobs, RunRecord record, Stations station, String orderId) {
        String id = jobs.create(orderId, "normal", null, "{}").orElseThrow();
        JobRun run = jobs.claim(JobRun.of(id), "baseline").orElseThrow().run();
        record.log(run, JobLogLevel.INFO, Stage.INTAKE, "Attempt 1 started");
        record.log(run, JobLogLevel.INFO, Stage.VALIDATE, "Validating");
        record.enterStage(run, Stage.SELECT_CONTENT, "Selecting 3 files", null);
        record.enterStage(
                run, Stage.WRITE_USB, "Waiting for a USB mount", new PlannedSize(12_288, 3));
        TakenSlot taken =
                station.allocator()
                        .acquire(run, 12_288, new Demand(orderId, "B", 16_000_000_000L, Map.of()));
        record.recordMount(run, taken.filesystem().slot().toString());
        record.log(run, JobLogLevel.INFO, Stage.WRITE_USB, "Writing 3 files");
        record.recordProgress(run, 80, 12_288, 3);
        Lease published = station.leases().recordPublish(taken.lease());
        record.enterStage(run, Stage.VERIFY, "Verifying 3 files", null);
        record.complete(
                run,
                "Completed",
                new Delivery("m", "folder m", null, null, "ext4", null, "direct", "abc", null),
                () -> station.leases().delivered(published));
    }

    /**
     * Copies each order's files to its own folder with a minimal loop (transferTo, fsync each file
     * and the folder), then reads them back and hashes them; {@code lanes} orders at a time, as the
     * product has a mount per lane. Returns orders per second and MB/s.
     */
    static double[] copyAndHash(List<Path> files, Path target, int orders, int lanes)
            throws Exception {
        long bytesPerOrder = 0;
        for (Path file : files) {
            bytesPerOrder += Files.size(file);
        }
        double seconds =
                inLanes(
                        lanes,
                        orders,
                        (lane, i) -> {
                            Path folder = Files.createDirectories(target.resolve("order-" + i));
                            for (Path file : files) {
                                copyAndSync(file, folder.resolve(file.getFileName()));
                            }
                            try (FileChannel dir =
                                    FileChannel.open(folder, StandardOpenOption.READ)) {
                                dir.force(true);
                            }
                            for (Path file : files) {
                                hash(folder.resolve(file.getFileName()));
                            }
                        });
        return new double[] {orders / seconds, orders * (double) bytesPerOrder / 1e6 / seconds};
    }

    /**
     * {@code cp -r}, {@code sync} and {@code sha256sum} per order, {@code lanes} at a time. Returns
     * MB/s.
     */
    static double shellCopyAndHash(
            Path source, Path target, int orders, int lanes, long bytesPerOrder) throws Exception {
        Files.createDirectories(target);
        double seconds =
                inLanes(
                        lanes,
                        orders,
                        (lane, i) -> {
                            Path folder = target.resolve("order-" + i);
                            shell(
                                    "cp -r '"
                                            + source
                                            + "' '"
                                            + folder
                                            + "' && sync && cd '"
                                            + folder
                                            + "' && find . -type f -exec sha256sum {} + > /dev/null");
                        });
        return orders * (double) bytesPerOrder / 1e6 / seconds;
    }

    /**
     * Runs items 0..count-1 on {@code lanes} threads, each taking the next free item; returns the
     * seconds it took.
     */
    private static double inLanes(int lanes, int count, LaneTask task) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(lanes);
        long start = System.nanoTime();
        try {
            List<Future<Object>> running = new ArrayList<>();
            for (int t = 0; t < lanes; t++) {
                int lane = t;
                running.add(
                        pool.submit(
                                () -> {
                                    for (int i = next.getAndIncrement();
                                            i < count;
                                            i = next.getAndIncrement()) {
                                        task.run(lane, i);
                                    }
                                    return null;
                                }));
            }
            for (Future<Object> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    @FunctionalInterface
    private interface LaneTask {
        void run(int lane, int item) throws Exception;
    }

    static void shell(String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException(command + " failed: " + output);
        }
    }

    private static void copyAndSync(Path source, Path destination) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                FileChannel out =
                        FileChannel.open(
                                destination,
                                StandardOpenOption.CREATE_NEW,
                                StandardOpenOption.WRITE)) {
            long size = in.size();
            for (long position = 0; position < size; ) {
                position += in.transferTo(position, size - position, out);
            }
            out.force(true);
        }
    }

    private static void hash(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[256 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
                digest.update(buffer, 0, read);
            }
        }
        digest.digest();
    }
}
