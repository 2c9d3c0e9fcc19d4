package shop.usb.pipeline.station;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.support.Stations;
import shop.usb.pipeline.support.TestDatabase;

/**
 * Instances in containers all name their sticks slot-1, slot-2 at /usb/slot-1, /usb/slot-2. A job
 * that another instance took over runs on that instance's sticks, never on this station's slot of
 * the same name.
 */
class StationsSharingSlotNamesTest {

    @TempDir Path root;
    HikariDataSource dataSource;
    JobLifecycle jobs;

    @BeforeEach
    void openDatabase() {
        dataSource = TestDatabase.h2(root.resolve("db")).openMigrated();
        jobs = new JobLifecycle(dataSource, Duration.ZERO, Clock.systemUTC());
    }

    @AfterEach
    void closeDatabase() {
        dataSource.close();
    }

    @Test
    void jobsTakenOverByAnotherInstanceNeitherHoldNorCompleteThisStationsSticks()
            throws IOException {
        Path slot1 = Files.createDirectories(root.resolve("usb/slot-1"));
        Path slot2 = Files.createDirectories(root.resolve("usb/slot-2"));
        Path slot3 = Files.createDirectories(root.resolve("usb/slot-3"));
        UsbStation station =
                Stations.station(
                        "pipeline-1",
                        dataSource,
                        UsbStation.Kind.STICK,
                        false,
                        List.of(slot1, slot2, slot3));
        UsbMountAllocator allocator =
                new UsbMountAllocator(station, dataSource, Duration.ZERO, 0, Clock.systemUTC());
        station.scan();
        // pipeline-1 takes a stick for each order, writes a little of the first, and is killed.
        String writing = takeStick(allocator, "ORD-1", slot1);
        Files.createDirectories(slot1.resolve("ORD-1"));
        Files.writeString(slot1.resolve("ORD-1/partial.mp3"), "half a song");
        String blank = takeStick(allocator, "ORD-2", slot2);
        String completedHere = takeStick(allocator, "ORD-3", slot3);

        // pipeline-2 took the first two over: it runs the first and completed the second, on its
        // own
        // sticks, which it names slot-1 and slot-2 at the same paths.
        leftBy("pipeline-2", writing, "PROCESSING", "slot-1", slot1);
        leftBy("pipeline-2", blank, "COMPLETED", "slot-2", slot2);
        // pipeline-1's own: completed on slot-3, the process stopped before it marked the slot.
        leftBy("pipeline-1", completedHere, "COMPLETED", "slot-3", slot3);
        station.scan();

        assertThat(station.views())
                .extracting(UsbStation.SlotView::slot, UsbStation.SlotView::state)
                .containsExactly(
                        tuple("slot-1", "FAULTY"),
                        tuple("slot-2", "READY"),
                        tuple("slot-3", "DONE"));
        assertThat(station.views().get(0).problem()).contains("not blank").contains("ORD-1");
    }

    /** The order's run on pipeline-1 takes the stick in {@code slot} (WRITING). */
    private String takeStick(UsbMountAllocator allocator, String orderId, Path slot) {
        String id = jobs.create(orderId, "normal", null, "{}").orElseThrow();
        JobRun run = jobs.claim(JobRun.of(id), "pipeline-1").orElseThrow().run();
        UsbMountAllocator.TakenSlot taken =
                allocator.acquire(
                        run,
                        1000,
                        new UsbMountAllocator.Demand(orderId, "ANA", 16_000_000_000L, Map.of()));
        assertThat(taken.slot().path()).isEqualTo(slot);
        return id;
    }

    /** The job as {@code instance} left it: running, or completed on its slot of that name. */
    private void leftBy(String instance, String jobId, String status, String slotName, Path mount) {
        new JdbcTemplate(dataSource)
                .update(
                        "UPDATE processing_jobs SET status = ?, owner_instance = ?, slot = ?,"
                                + " usb_mount = ?, run_token = ? WHERE id = ?",
                        status,
                        instance,
                        slotName,
                        mount.toString(),
                        "PROCESSING".equals(status) ? "run-of-" + instance : null,
                        jobId);
    }
}
