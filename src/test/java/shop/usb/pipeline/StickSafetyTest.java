package shop.usb.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.ORDERS;
import static shop.usb.pipeline.support.Orders.newOrderId;
import static shop.usb.pipeline.support.Orders.order;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.job.JobLogView;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.JobView;
import shop.usb.pipeline.support.LoopStick;
import shop.usb.pipeline.support.OnEachDatabase;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;

/**
 * One run per job on real, slow and removable sticks: ext4 images on loop devices mounted on the
 * slot folders, throttled through the block I/O cgroup. The slots are, in order: one that is never
 * mounted, then B and A; each test mounts the sticks it needs, when it needs them.
 */
@OnEachDatabase
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StickSafetyTest {

    static final Duration STALLED_AFTER = Duration.ofSeconds(2);
    static final long MIB = 1024 * 1024;

    Path root;
    Path neverMounted;
    Path slotA;
    Path slotB;
    PipelineRuntime pipeline;
    List<LoopStick> sticks = new ArrayList<>();

    @Parameter TestDatabase.Engine engine;

    @BeforeParameterizedClassInvocation(injectArguments = false)
    void startPipeline(@TempDir Path root) throws Exception {
        LoopStick.requireMountRights();
        this.root = root;
        neverMounted = Files.createDirectories(root.resolve("usb/never-mounted"));
        slotA = Files.createDirectories(root.resolve("usb/slot-a"));
        slotB = Files.createDirectories(root.resolve("usb/slot-b"));
        pipeline =
                PipelineRuntime.start(
                        root,
                        engine.create(root),
                        Map.of(
                                "pipeline.usb.mounts", neverMounted + "," + slotB + "," + slotA,
                                "pipeline.usb.require-mount", "true",
                                "pipeline.stalled.after", STALLED_AFTER.toMillis() + "ms",
                                "pipeline.stalled.check-interval", "200ms",
                                "pipeline.retry.delays", "200ms",
                                "pipeline.retry.jitter", "0",
                                "pipeline.progress.interval", "200ms",
                                "pipeline.usb.allocation-timeout", "1s"));
        PipelineRuntime.writeRandom(pipeline.library().resolve("big/8mib.bin"), (int) (8 * MIB));
        PipelineRuntime.writeRandom(pipeline.library().resolve("big/24mib.bin"), (int) (24 * MIB));
    }

    @BeforeEach
    void noSticks() {
        sticks.clear();
    }

    @AfterEach
    void removeSticks() throws IOException {
        for (LoopStick stick : sticks) {
            stick.close();
        }
        assertThat(entries(neverMounted))
                .as("a slot that was never mounted takes nothing")
                .isEmpty();
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void jobWhoseFsyncBlocksFarLongerThanStalledAfterCompletesOnceWithOneRun() throws Exception {
        long rate = 2 * MIB;
        stick("a", slotA).throttleWrites(rate);
        String orderId = newOrderId();
        Instant sent = Instant.now();
        pipeline.sendText(ORDERS, order(orderId).file("big/24mib.bin").json());

        JobView completed =
                Awaitility.await("the slow write to complete")
                        .atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(100))
                        .until(
                                () -> pipeline.reads().findByOrderId(orderId).orElse(null),
                                job -> job != null && job.status() == JobStatus.COMPLETED);

        Duration took = Duration.between(sent, Instant.now());
        System.out.printf(
                "Slow stick: 24 MiB at %d MiB/s took %.1f s with pipeline.stalled.after=%d s; attempts=%d%n",
                rate / MIB,
                took.toMillis() / 1000.0,
                STALLED_AFTER.toSeconds(),
                completed.attempts());
        assertThat(took)
                .as("the fsync blocked far longer than stalled.after")
                .isGreaterThan(STALLED_AFTER.multipliedBy(4));
        assertThat(completed.attempts()).isEqualTo(1);
        assertThat(completed.usbMount()).isEqualTo(slotA.toString());
        assertThat(completed.verifiedBy()).isEqualTo("direct");
        assertThat(pipeline.reads().logs(completed.id(), 0))
                .extracting(JobLogView::message)
                .noneMatch(m -> m.contains("stalled") || m.contains("superseded"))
                .filteredOn(m -> m.startsWith("Attempt"))
                .hasSize(1);
        assertThat(PipelineRuntime.sha256sumCheck(slotA.resolve(orderId))).isZero();
    }

    @Test
    void runBlockedInFsyncThatLostItsJobChangesNothingOfTheRunThatTookOver() throws Exception {
        stick("a", slotA).throttleWrites(MIB);
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).file("big/8mib.bin").json());
        JobView first =
                pipeline.awaitJob(
                        orderId, job -> slotA.toString().equals(job.usbMount()), "lease stick A");
        awaitFsync(slotA, "8mib.bin", 8 * MIB);
        stick("b", slotB);

        // As the sweep would if the first run were silent: the job waits again, and a second run
        // takes it.
        new JdbcTemplate(pipeline.dataSource())
                .update(
                        "UPDATE processing_jobs SET status = 'RETRYING',"
                                + " run_token = NULL, next_attempt_at = CURRENT_TIMESTAMP WHERE id = ?",
                        first.id());
        pipeline.sendText("pipeline.jobs", first.id());

        JobView completed = pipeline.awaitJob(orderId, JobStatus.COMPLETED);
        assertThat(completed.usbMount()).isEqualTo(slotB.toString());
        Awaitility.await("the first run to wake up and stop")
                .atMost(Duration.ofSeconds(60))
                .until(
                        () -> pipeline.reads().logs(first.id(), 0),
                        lines ->
                                lines.stream()
                                        .anyMatch(line -> line.message().contains("superseded")));

        JobView after = pipeline.reads().findById(first.id()).orElseThrow();
        assertThat(after.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(after.attempts()).isEqualTo(2);
        assertThat(after.usbMount()).isEqualTo(slotB.toString());
        assertThat(after.errorCode()).isNull();
        assertThat(after.progress()).isEqualTo(100);
        assertThat(PipelineRuntime.sha256sumCheck(slotB.resolve(orderId)))
                .as("the second run's folder")
                .isZero();
        assertThat(entries(slotA))
                .as("the first run published nothing on A")
                .noneMatch(name -> name.equals(orderId));
    }

    @Test
    void stickPulledMidWriteFailsTheAttemptAsRemovedAndTheOrderCompletesOnAnotherStick()
            throws Exception {
        LoopStick a = stick("a", slotA);
        a.throttleWrites(4 * MIB);
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).file("big/24mib.bin").json());
        awaitFsync(slotA, "24mib.bin", 24 * MIB);
        stick("b", slotB);

        a.pull();

        JobView completed =
                Awaitility.await("the order to complete on stick B")
                        .atMost(Duration.ofSeconds(90))
                        .until(
                                () -> pipeline.reads().findByOrderId(orderId).orElse(null),
                                job -> job != null && job.status() == JobStatus.COMPLETED);
        assertThat(completed.usbMount()).isEqualTo(slotB.toString());
        assertThat(completed.attempts())
                .as("the pulled stick gave its attempt back: only the delivering one counts")
                .isEqualTo(1);
        assertThat(pipeline.reads().logs(completed.id(), 0))
                .anySatisfy(
                        line -> {
                            assertThat(line.errorCode()).isEqualTo("USB_REMOVED");
                            assertThat(line.message())
                                    .contains("was removed")
                                    .contains("attempt is given back");
                        });
        assertThat(entries(slotA))
                .as("nothing landed on the host's disk under the empty mount point")
                .isEmpty();
        assertThat(PipelineRuntime.sha256sumCheck(slotB.resolve(orderId))).isZero();
    }

    @Test
    void emptyMountPointsTakeNoJob() throws Exception {
        stick("b", slotB);
        String first = newOrderId();
        String second = newOrderId();
        pipeline.sendText(ORDERS, order(first).file("music/jazz/01-so-what.mp3").json());
        pipeline.sendText(ORDERS, order(second).file("music/jazz/01-so-what.mp3").json());

        assertThat(pipeline.awaitJob(first, JobStatus.COMPLETED).usbMount())
                .isEqualTo(slotB.toString());
        assertThat(pipeline.awaitJob(second, JobStatus.COMPLETED).usbMount())
                .isEqualTo(slotB.toString());
        assertThat(entries(slotA)).as("slot A, its stick not mounted").isEmpty();
    }

    private LoopStick stick(String name, Path slot) throws IOException {
        LoopStick stick =
                LoopStick.mount(
                        root.resolve("images/" + name + "-" + System.nanoTime() + ".img"),
                        slot,
                        96);
        sticks.add(stick);
        return stick;
    }

    /**
     * Waits until the file's temporary copy on the stick is whole: its run is then in fsync (or
     * just past it).
     */
    static void awaitFsync(Path slot, String fileName, long size) {
        Awaitility.await(fileName + " to be copied to " + slot)
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(
                        () -> {
                            try (Stream<Path> files = Files.walk(slot)) {
                                return files.anyMatch(
                                        file ->
                                                file.getFileName()
                                                                .toString()
                                                                .equals(fileName + ".part")
                                                        && file.toFile().length() == size);
                            } catch (IOException | UncheckedIOException stillMoving) {
                                return false;
                            }
                        });
    }

    /** What a folder holds, as the host's disk shows it when nothing is mounted there. */
    private static List<String> entries(Path folder) throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            return list.map(path -> path.getFileName().toString())
                    .filter(name -> !name.equals("lost+found"))
                    .toList();
        }
    }
}
