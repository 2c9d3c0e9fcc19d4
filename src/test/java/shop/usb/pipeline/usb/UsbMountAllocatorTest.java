package shop.usb.pipeline.usb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.job.ErrorCode;
import shop.usb.pipeline.job.JobFailure;
import shop.usb.pipeline.job.JobRepository;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.platform.Database;
import shop.usb.pipeline.support.TestDatabase;

/** Each USB fault gets its own recoverable code, and a job goes to another mount when it can. */
class UsbMountAllocatorTest {

    @TempDir
    Path root;
    HikariDataSource dataSource;

    @BeforeEach
    void openDatabase() {
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(TestDatabase.h2(root.resolve("db")).url());
        Database.migrate(dataSource);
    }

    @AfterEach
    void closeDatabase() {
        dataSource.close();
    }

    @Test
    void unpluggedMountIsSkippedForAnotherOne() throws IOException {
        Path plugged = Files.createDirectories(root.resolve("plugged"));
        UsbMountAllocator allocator = allocator(root.resolve("unplugged"), plugged);

        assertThat(allocator.acquire("job-1", 1000)).isEqualTo(plugged);
        assertThat(root.resolve("unplugged")).doesNotExist();
    }

    @Test
    void noMountPluggedIsUsbUnavailable() {
        assertThatThrownBy(() -> allocator(root.resolve("a"), root.resolve("b")).acquire("job-1", 1000))
                .isInstanceOfSatisfying(JobFailure.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.USB_UNAVAILABLE);
                    assertThat(e.code().recoverable()).isTrue();
                });
    }

    @Test
    void busyMountMakesTheNextJobWaitThenGiveUp() throws IOException {
        UsbMountAllocator allocator = allocator(Files.createDirectories(root.resolve("only")));
        String first = processingJob("ORD-1");
        String second = processingJob("ORD-2");
        allocator.acquire(first, 1000);

        assertThatThrownBy(() -> allocator.acquire(second, 1000))
                .isInstanceOfSatisfying(JobFailure.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.USB_UNAVAILABLE));
        allocator.release(first);
        assertThat(allocator.acquire(second, 1000)).isEqualTo(root.resolve("only"));
    }

    @Test
    void leaseOfAJobThatIsNoLongerRunningDoesNotHoldTheMount() throws IOException {
        UsbMountAllocator allocator = allocator(Files.createDirectories(root.resolve("only")));
        String crashed = processingJob("ORD-1");
        allocator.acquire(crashed, 1000);
        JobRepository jobs = new JobRepository(dataSource, Duration.ZERO, Clock.systemUTC());
        jobs.fail(crashed, Stage.WRITE_USB, java.time.Instant.now(), ErrorCode.STALLED, "its process died");

        assertThat(allocator.acquire(processingJob("ORD-2"), 1000)).isEqualTo(root.resolve("only"));
    }

    @Test
    void leaseLeftByTheSameJobsEarlierAttemptDoesNotBlockIt() throws IOException {
        UsbMountAllocator allocator = allocator(Files.createDirectories(root.resolve("only")));
        String job = processingJob("ORD-1");
        allocator.acquire(job, 1000);
        // The process dies here; after recovery the same job runs again and is PROCESSING once more.

        assertThat(allocator.acquire(job, 1000)).isEqualTo(root.resolve("only"));
    }

    private String processingJob(String orderId) {
        JobRepository jobs = new JobRepository(dataSource, Duration.ZERO, Clock.systemUTC());
        String id = jobs.create(orderId, "normal", "{}").orElseThrow();
        jobs.claim(id, "test");
        return id;
    }

    @Test
    void mountWithoutRoomIsUsbFull() throws Exception {
        Path small = tmpfs("small", "size=1m");
        try {
            assertThatThrownBy(() -> allocator(small).acquire("job-1", 10_000_000))
                    .isInstanceOfSatisfying(JobFailure.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.USB_FULL));
        } finally {
            unmount(small);
        }
    }

    @Test
    void readOnlyMountIsUsbReadOnly() throws Exception {
        Path readOnly = tmpfs("read-only", "ro,size=1m");
        try {
            assertThatThrownBy(() -> allocator(readOnly).acquire("job-1", 1000))
                    .isInstanceOfSatisfying(JobFailure.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.USB_READ_ONLY));
        } finally {
            unmount(readOnly);
        }
    }

    private UsbMountAllocator allocator(Path... mounts) {
        return new UsbMountAllocator(List.of(mounts), dataSource, Duration.ofMillis(300), 0, Clock.systemUTC());
    }

    /** A real small or read-only file system; needs root and mount rights, else the test is skipped. */
    private Path tmpfs(String name, String options) throws Exception {
        Path mount = Files.createDirectories(root.resolve(name));
        Process process = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assumeTrue(process.waitFor() == 0, "mounting a tmpfs needs root and mount rights");
        return mount;
    }

    private static void unmount(Path mount) throws Exception {
        new ProcessBuilder("umount", mount.toString()).start().waitFor();
    }
}
