package shop.usb.pipeline.station;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import shop.usb.pipeline.crash.CrashPoints.Context;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.device.SlotKind;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.job.RunRecord;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.lease.Lease;
import shop.usb.pipeline.support.LoopStick;
import shop.usb.pipeline.support.Stations;
import shop.usb.pipeline.support.TestDatabase;

/** Each USB fault gets its own recoverable code, and a job goes to another mount when it can. */
class SlotAllocatorTest {

    static final Demand DEMAND = new Demand("ORD-1", "ANA", 16_000_000_000L, Map.of());

    @TempDir Path root;
    HikariDataSource dataSource;

    @BeforeEach
    void openDatabase() {
        dataSource = TestDatabase.h2(root.resolve("db")).openMigrated();
    }

    @AfterEach
    void closeDatabase() {
        dataSource.close();
    }

    @Test
    void unpluggedMountIsSkippedForAnotherOne() throws IOException {
        Path plugged = Files.createDirectories(root.resolve("plugged"));
        SlotAllocator allocator = allocator(root.resolve("unplugged"), plugged);

        assertThat(allocator.acquire(processingJob("ORD-1"), 1000, DEMAND).slot().path())
                .isEqualTo(plugged);
        assertThat(root.resolve("unplugged")).doesNotExist();
    }

    @Test
    void noMountPluggedIsUsbUnavailable() {
        assertThatThrownBy(
                        () ->
                                allocator(root.resolve("a"), root.resolve("b"))
                                        .acquire(processingJob("ORD-1"), 1000, DEMAND))
                .isInstanceOfSatisfying(
                        JobFailure.class,
                        e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.USB_UNAVAILABLE);
                            assertThat(e.code().recoverable()).isTrue();
                        });
    }

    @Test
    void busyMountMakesTheNextJobWaitThenGiveUp() throws IOException {
        Stations station = station(Files.createDirectories(root.resolve("only")));
        SlotAllocator allocator = station.allocator();
        JobRun first = processingJob("ORD-1");
        JobRun second = processingJob("ORD-2");
        Lease firstLease = allocator.acquire(first, 1000, DEMAND).lease();

        assertThatThrownBy(() -> allocator.acquire(second, 1000, DEMAND))
                .isInstanceOfSatisfying(
                        JobFailure.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.USB_UNAVAILABLE));
        station.reclaimer().end(firstLease, Context.RUN);
        assertThat(allocator.acquire(second, 1000, DEMAND).slot().path())
                .isEqualTo(root.resolve("only"));
    }

    @Test
    void twoInstancesWhoseSlotsHaveTheSamePathsDoNotBlockEachOther() throws IOException {
        // As compose writes them: every instance sees its own sticks at the same path (here one
        // folder).
        Path slot = Files.createDirectories(root.resolve("usb/slot-1"));
        SlotAllocator first = folders("pipeline-1", slot).allocator();
        SlotAllocator second = folders("pipeline-2", slot).allocator();

        first.acquire(processingJob("ORD-1"), 1000, DEMAND);

        assertThat(second.acquire(processingJob("ORD-2"), 1000, DEMAND).slot().path())
                .isEqualTo(slot);
    }

    @Test
    void leaseOfAJobThatIsNoLongerRunningDoesNotHoldTheMount() throws IOException {
        SlotAllocator allocator = allocator(Files.createDirectories(root.resolve("only")));
        JobRun crashed = processingJob("ORD-1");
        allocator.acquire(crashed, 1000, DEMAND);
        new RunRecord(dataSource, "test", Duration.ZERO, Clock.systemUTC())
                .fail(crashed, Stage.WRITE_USB, ErrorCode.STALLED, "its process died");

        assertThat(allocator.acquire(processingJob("ORD-2"), 1000, DEMAND).slot().path())
                .isEqualTo(root.resolve("only"));
    }

    @Test
    void leaseOfAJobThatRetentionDeletedDoesNotHoldTheMount() throws IOException {
        SlotAllocator allocator = allocator(Files.createDirectories(root.resolve("only")));
        JobRun crashed = processingJob("ORD-1");
        allocator.acquire(crashed, 1000, DEMAND);
        new JdbcTemplate(dataSource)
                .update("DELETE FROM processing_jobs WHERE id = ?", crashed.jobId());

        assertThat(allocator.acquire(processingJob("ORD-2"), 1000, DEMAND).slot().path())
                .isEqualTo(root.resolve("only"));
    }

    @Test
    void leaseLeftByTheSameJobsEarlierAttemptDoesNotBlockIt() throws IOException {
        SlotAllocator allocator = allocator(Files.createDirectories(root.resolve("only")));
        JobRun dead = processingJob("ORD-1");
        allocator.acquire(dead, 1000, DEMAND);
        JobRun again = runAgain(dead);

        assertThat(allocator.acquire(again, 1000, DEMAND).slot().path())
                .isEqualTo(root.resolve("only"));
    }

    @Test
    void aRunTakingADeadRunsSlotRemovesWhatItsLeaseNamesAndOnlyThat() throws IOException {
        Path only = Files.createDirectories(root.resolve("only"));
        Stations station = station(only);
        JobRun dead = processingJob("ORD-1");
        Lease deadLease = station.allocator().acquire(dead, 1000, DEMAND).lease();
        Path deadStaging = Files.createDirectories(deadLease.stagingFolder());
        Files.writeString(deadStaging.resolve("half.mp3"), "half a song");
        station.leases().recordPublish(deadLease);
        Path published = Files.createDirectories(deadLease.orderFolder());
        Path delivered = Files.createDirectories(only.resolve("ORD-0"));
        runAgain(dead);

        station.allocator().acquire(processingJob("ORD-2"), 1000, DEMAND);

        assertThat(deadStaging).as("the dead run's staging folder").doesNotExist();
        assertThat(published).as("the order folder it published, never delivered").doesNotExist();
        assertThat(delivered).as("what its lease does not name").exists();
        assertThat(
                        new JdbcTemplate(dataSource)
                                .queryForList("SELECT job_id FROM usb_mount_leases", String.class))
                .as("the taker's lease alone")
                .doesNotContain(dead.jobId())
                .hasSize(1);
    }

    @Test
    void aDeadRunsStagingFolderGoesBeforeItsLeaseSoACrashBetweenThemLeavesItToTheNextRun()
            throws IOException {
        Path only = Files.createDirectories(root.resolve("only"));
        JobRun dead = processingJob("ORD-1");
        Lease deadLease = allocator(only).acquire(dead, 1000, DEMAND).lease();
        Path deadStaging = Files.createDirectories(deadLease.stagingFolder());
        runAgain(dead);
        List<Boolean> stagingThereWhenTheLeaseWasDropped = new ArrayList<>();
        DataSource watched =
                beforeStatement(
                        "DELETE FROM usb_mount_leases",
                        () -> stagingThereWhenTheLeaseWasDropped.add(Files.exists(deadStaging)));

        Stations.of(
                        "test-station",
                        watched,
                        SlotKind.FOLDER,
                        false,
                        Duration.ofMillis(300),
                        List.of(only))
                .allocator()
                .acquire(processingJob("ORD-2"), 1000, DEMAND);

        assertThat(stagingThereWhenTheLeaseWasDropped).containsExactly(false);
        assertThat(deadStaging).doesNotExist();
    }

    /** The test's database, noticing each statement that contains {@code sql} as it is prepared. */
    private DataSource beforeStatement(String sql, Runnable notice) {
        return new DelegatingDataSource(dataSource) {
            @Override
            public Connection getConnection() throws SQLException {
                Connection connection = super.getConnection();
                return (Connection)
                        Proxy.newProxyInstance(
                                Connection.class.getClassLoader(),
                                new Class<?>[] {Connection.class},
                                (proxy, method, args) -> {
                                    if (method.getName().equals("prepareStatement")
                                            && ((String) args[0]).contains(sql)) {
                                        notice.run();
                                    }
                                    try {
                                        return method.invoke(connection, args);
                                    } catch (InvocationTargetException e) {
                                        throw e.getCause();
                                    }
                                });
            }
        };
    }

    /** The run's process died; after recovery the job runs again under a new run. */
    private JobRun runAgain(JobRun dead) {
        new JdbcTemplate(dataSource)
                .update(
                        "UPDATE processing_jobs SET status = 'RETRYING', run_token = NULL"
                                + " WHERE id = ?",
                        dead.jobId());
        return new JobLifecycle(dataSource, "test", Clock.systemUTC())
                .claim(JobRun.of(dead.jobId()), "test")
                .orElseThrow()
                .run();
    }

    @Test
    void folderThatIsNotTheRootOfAFilesystemHoldsNoStick() throws IOException {
        Path bare = Files.createDirectories(root.resolve("bare"));
        SlotAllocator allocator =
                Stations.folders(dataSource, Duration.ofMillis(300), true, bare).allocator();

        assertThatThrownBy(() -> allocator.acquire(processingJob("ORD-1"), 1000, DEMAND))
                .isInstanceOfSatisfying(
                        JobFailure.class,
                        e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.USB_UNAVAILABLE);
                            assertThat(e.getMessage())
                                    .contains("not the root of a filesystem of its own");
                        });
        assertThat(allocator.states())
                .singleElement()
                .satisfies(state -> assertThat(state.problem()).contains("holds no stick"));
    }

    @Test
    void mountedFilesystemIsAStickAndItsLeaseRecordsIt() throws Exception {
        Path stick = tmpfs("stick", "size=4m");
        try {
            SlotAllocator allocator =
                    Stations.folders(dataSource, Duration.ofMillis(300), true, stick).allocator();

            SlotFilesystem leased =
                    allocator.acquire(processingJob("ORD-1"), 1000, DEMAND).filesystem();

            assertThat(leased.isMount()).isTrue();
            assertThat(leased.fsType()).isEqualTo("tmpfs");
            assertThat(
                            new JdbcTemplate(dataSource)
                                    .queryForObject(
                                            "SELECT filesystem FROM usb_mount_leases",
                                            String.class))
                    .startsWith("tmpfs tmpfs (mount ");
        } finally {
            unmount(stick);
        }
    }

    private JobRun processingJob(String orderId) {
        JobLifecycle jobs = new JobLifecycle(dataSource, "test", Clock.systemUTC());
        String id = jobs.create(orderId, "normal", null, "{}").orElseThrow();
        return jobs.claim(JobRun.of(id), "test").orElseThrow().run();
    }

    @Test
    void mountWithoutRoomIsUsbFull() throws Exception {
        Path small = tmpfs("small", "size=1m");
        try {
            assertThatThrownBy(
                            () ->
                                    allocator(small)
                                            .acquire(processingJob("ORD-1"), 10_000_000, DEMAND))
                    .isInstanceOfSatisfying(
                            JobFailure.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.USB_FULL));
        } finally {
            unmount(small);
        }
    }

    @Test
    void readOnlyMountIsUsbReadOnly() throws Exception {
        Path readOnly = tmpfs("read-only", "ro,size=1m");
        try {
            assertThatThrownBy(
                            () -> allocator(readOnly).acquire(processingJob("ORD-1"), 1000, DEMAND))
                    .isInstanceOfSatisfying(
                            JobFailure.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.USB_READ_ONLY));
        } finally {
            unmount(readOnly);
        }
    }

    private SlotAllocator allocator(Path... mounts) {
        return station(mounts).allocator();
    }

    private Stations station(Path... mounts) {
        return Stations.folders(dataSource, Duration.ofMillis(300), false, mounts);
    }

    private Stations folders(String stationId, Path slot) {
        return Stations.of(
                stationId,
                dataSource,
                SlotKind.FOLDER,
                false,
                Duration.ofMillis(300),
                List.of(slot));
    }

    /**
     * A real small or read-only file system; needs root and mount rights (see {@link LoopStick}).
     */
    private Path tmpfs(String name, String options) throws Exception {
        LoopStick.requireMountRights();
        Path mount = Files.createDirectories(root.resolve(name));
        LoopStick.run("mount", "-t", "tmpfs", "-o", options, "tmpfs", mount.toString());
        return mount;
    }

    private static void unmount(Path mount) throws Exception {
        LoopStick.run("umount", mount.toString());
    }
}
