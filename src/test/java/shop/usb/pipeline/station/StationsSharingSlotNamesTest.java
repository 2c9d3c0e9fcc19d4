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
import shop.usb.pipeline.crash.CrashPoints.Context;
import shop.usb.pipeline.device.SlotKind;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.station.SlotAllocator.TakenSlot;
import shop.usb.pipeline.station.SlotViews.SlotView;
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
        jobs = new JobLifecycle(dataSource, "test", Clock.systemUTC());
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
        Stations pipeline1 =
                Stations.of(
                        "pipeline-1",
                        dataSource,
                        SlotKind.STICK,
                        false,
                        Duration.ZERO,
                        List.of(slot1, slot2));
        pipeline1.watch().scan();
        // pipeline-1 takes a stick for each order, writes a little of the first, and is killed.
        TakenSlot writing = takeStick(pipeline1, "ORD-1", slot1);
        Path partial = Files.createDirectories(writing.lease().writeFolder());
        Files.writeString(partial.resolve("partial.mp3"), "half a song");
        TakenSlot blank = takeStick(pipeline1, "ORD-2", slot2);

        // pipeline-2 took both over: it runs the first and completed the second, on its own
        // sticks, which it names slot-1 and slot-2 at the same paths.
        leftBy("pipeline-2", writing.lease().run().jobId(), "PROCESSING", "slot-1", slot1);
        leftBy("pipeline-2", blank.lease().run().jobId(), "COMPLETED", "slot-2", slot2);
        // pipeline-1 starts again: its dead runs' leases end, what they wrote with them.
        pipeline1.reclaimer().endDeadRuns(Context.STARTUP_RECOVERY);
        pipeline1.watch().scan();

        assertThat(pipeline1.views().views())
                .extracting(SlotView::slot, SlotView::state)
                .containsExactly(tuple("slot-1", "READY"), tuple("slot-2", "READY"));
        assertThat(partial).doesNotExist();
    }

    /** The order's run on pipeline-1 takes the stick in {@code slot} (WRITING). */
    private TakenSlot takeStick(Stations station, String orderId, Path slot) {
        String id = jobs.create(orderId, "normal", null, "{}").orElseThrow();
        JobRun run = jobs.claim(JobRun.of(id), "pipeline-1").orElseThrow().run();
        TakenSlot taken =
                station.allocator()
                        .acquire(run, 1000, new Demand(orderId, "ANA", 16_000_000_000L, Map.of()));
        assertThat(taken.slot().path()).isEqualTo(slot);
        return taken;
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
