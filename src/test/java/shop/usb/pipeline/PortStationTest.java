package shop.usb.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.ORDERS;
import static shop.usb.pipeline.support.Orders.newOrderId;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.JobView;
import shop.usb.pipeline.support.LoopStick;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.PortStick;

/**
 * The station on its USB ports ({@code pipeline.usb.ports}): sticks with an MBR and ext4, FAT32 or
 * exFAT, on loop devices, plugged in as a link under a ports folder that appears and vanishes, as
 * udev's by-path link does. The product reads each stick from its device, mounts it at its slot
 * itself (FAT32 and exFAT through FUSE: this kernel has neither driver), writes, verifies, labels,
 * ejects; formats where it is told to; and sees a pulled stick go.
 *
 * <p>Test drivers: {@code fusefat} loses a renamed folder's contents, which a stick never needs
 * (its order is written in place); it names no device as a mount's source, so the device's numbers,
 * not the mount table, tell which stick is mounted.
 */
class PortStationTest {

    static final long MIB = 1024 * 1024;
    static final long STICK = 96 * MIB;
    static final long CAPACITY = 100_000_000L;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path root;
    PipelineRuntime pipeline;
    final List<PortStick> sticks = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        if (pipeline != null) {
            pipeline.close();
        }
        for (int port = 1; port <= 3; port++) {
            Path slot = root.resolve("slots/slot-" + port);
            if (Files.isDirectory(slot) && LoopStick.isMountPoint(slot)) {
                LoopStick.run("umount", "--lazy", slot.toString());
            }
        }
        for (PortStick stick : sticks) {
            stick.close();
        }
    }

    @Test
    void ext4Fat32AndExfatSticksAreMountedFromTheirPortsWrittenVerifiedLabelledAndEjected()
            throws Exception {
        for (String fsType : List.of("ext4", "vfat", "exfat")) {
            PortStick.requireTools(fsType);
        }
        start(Map.of());
        int port = 0;
        for (String fsType : List.of("ext4", "vfat", "exfat")) {
            port++;
            String slot = "slot-" + port;
            // A FAT volume label shows as an empty file of its name under fusefat: not a leftover.
            PortStick stick = stick(PortStick.withPartition(image(), STICK, fsType, "BLANK"));
            stick.plugInto(portLink(port));
            JsonNode ready = awaitSlot(slot, "READY");
            assertThat(ready.get("stick").get("fsType").asText())
                    .as("the type as the device tells it (exfat-fuse's mount says fuseblk)")
                    .isEqualTo(fsType);
            assertThat(ready.get("stick").get("id").asText())
                    .isEqualTo(PortStick.blkid(stick.partition()).get("UUID"));

            String orderId = sendOrder("music/jazz/01-so-what.mp3");
            JobView done = pipeline.awaitJob(orderId, JobStatus.COMPLETED);
            assertThat(done.slot()).isEqualTo(slot);
            assertThat(done.stick().fsType()).isEqualTo(fsType);
            assertThat(done.verifiedBy()).as(fsType + " read back").isNotBlank();
            if (fsType.equals("exfat")) {
                // exfatlabel opens the device exclusively, which exfat-fuse (and the kernel's
                // exfat) holds while mounted: the label stays, and the job says why.
                assertThat(done.volumeLabel()).isNull();
                assertThat(PortStick.blkid(stick.partition())).containsEntry("LABEL", "BLANK");
                assertThat(pipeline.reads().logs(done.id(), 0))
                        .anySatisfy(
                                line ->
                                        assertThat(line.message())
                                                .contains("Device or resource busy"));
            } else {
                assertThat(done.volumeLabel()).isEqualTo("ANA-MIX");
                assertThat(PortStick.blkid(stick.partition()))
                        .as("the label set on the device, as blkid reads it")
                        .containsEntry("LABEL", "ANA-MIX");
            }
            awaitSlot(slot, "DONE");
            Path mountPoint = root.resolve("slots/" + slot);
            Awaitility.await(slot + " ejected")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> !LoopStick.isMountPoint(mountPoint));
            assertThat(slotNamed(slot).get("state").asText())
                    .as("ejected, still plugged in: DONE until it is pulled")
                    .isEqualTo("DONE");
        }
        sticks.get(0).pull();
        awaitSlot("slot-1", "EMPTY");
    }

    @Test
    void namesFatRefusesAndFilesOf4GiBNeverGoToAFat32Stick() throws Exception {
        PortStick.requireTools("vfat");
        Path library = root.resolve("library");
        PipelineRuntime.writeRandom(library.resolve("odd/a:b.mp3"), 1_000);
        Files.createDirectories(library.resolve("big"));
        try (var sparse =
                new java.io.RandomAccessFile(library.resolve("big/4gib.bin").toFile(), "rw")) {
            sparse.setLength(4L * 1024 * MIB);
        }
        start(Map.of());
        stick(PortStick.withPartition(image(), STICK, "vfat", "")).plugInto(portLink(1));
        awaitSlot("slot-1", "READY");

        String colon = sendOrder("odd/a:b.mp3");
        JobView waiting = pipeline.awaitJob(colon, JobStatus.WAITING);
        assertThat(waiting.waitingFor()).contains("vfat");
        assertThat(pipeline.reads().logs(waiting.id(), 0))
                .anySatisfy(
                        line ->
                                assertThat(line.message())
                                        .contains(
                                                "'a:b.mp3' holds ':', which is not allowed on FAT"));

        String big = newOrderId();
        pipeline.sendText(ORDERS, order(big).capacity(8_000_000_000L).file("big/4gib.bin").json());
        JobView bigWaiting = pipeline.awaitJob(big, JobStatus.WAITING);
        assertThat(pipeline.reads().logs(bigWaiting.id(), 0))
                .anySatisfy(
                        line ->
                                assertThat(line.message())
                                        .contains("4gib.bin has 4294967296 bytes")
                                        .contains("FAT32 holds no file of 4 GiB or more"));
        assertThat(slotNamed("slot-1").get("state").asText())
                .as("neither order touched the FAT32 stick")
                .isEqualTo("READY");
    }

    @Test
    void formatAutoGivesEachStickAFreshMbrFat32AndTheOrdersLabel() throws Exception {
        PortStick.requireTools("vfat");
        PortStick.requireTools("ext4");
        start(Map.of("pipeline.usb.format", "auto"));
        // A stick with an empty partition, one with no partition table and a filesystem holding a
        // customer's files: each is made blank with the order's label, as a duplicator does.
        PortStick raw = stick(PortStick.withPartition(image(), STICK, null, ""));
        raw.plugInto(portLink(1));
        assertThat(awaitSlot("slot-1", "READY").get("stick").get("fsType").asText())
                .isEqualTo("vfat");
        PortStick superfloppy = stick(PortStick.superfloppy(image(), STICK, "ext4", "OLD"));
        superfloppy.plugInto(portLink(2));
        awaitSlot("slot-2", "READY");
        // A stick that holds an order (a delivered one plugged in again) is never formatted.
        PortStick delivered =
                stick(PortStick.withPartition(image(), STICK, "ext4", "DELIVERED"))
                        .holding("ORD-OLD/MANIFEST.sha256", "0  a.mp3\n");
        delivered.plugInto(portLink(3));
        assertThat(awaitSlot("slot-3", "FAULTY").get("problem").asText())
                .contains("holds an order (ORD-OLD)");

        String first = sendOrder("music/jazz/01-so-what.mp3");
        JobView one = pipeline.awaitJob(first, JobStatus.COMPLETED);
        String second = sendOrder("music/salsa/01-la-rebelion.mp3");
        JobView two = pipeline.awaitJob(second, JobStatus.COMPLETED);

        for (JobView job : List.of(one, two)) {
            PortStick stick = job.slot().equals("slot-1") ? raw : superfloppy;
            assertThat(stick.partitions()).as(job.slot() + ": one partition").hasSize(1);
            Map<String, String> device = PortStick.blkid(stick.partition());
            assertThat(device)
                    .containsEntry("TYPE", "vfat")
                    .containsEntry("VERSION", "FAT32")
                    .containsEntry("LABEL", "ANA-MIX")
                    .containsEntry("PART_ENTRY_TYPE", "0xc");
            assertThat(job.stick().id())
                    .as("the delivery names the stick as formatted")
                    .isEqualTo(device.get("UUID"));
            assertThat(job.stick().fsType()).isEqualTo("vfat");
        }
        assertThat(List.of(one.slot(), two.slot())).containsExactlyInAnyOrder("slot-1", "slot-2");
        assertThat(PortStick.blkid(delivered.partition()))
                .as("the delivered stick was not touched")
                .containsEntry("TYPE", "ext4")
                .containsEntry("LABEL", "DELIVERED");
    }

    @Test
    void formatExfatLabelsTheStickWhereARelabelCannot() throws Exception {
        PortStick.requireTools("exfat");
        start(Map.of("pipeline.usb.format", "exfat"));
        PortStick stick = stick(PortStick.withPartition(image(), STICK, "vfat", "OLD"));
        stick.plugInto(portLink(1));
        awaitSlot("slot-1", "READY");

        JobView done =
                pipeline.awaitJob(sendOrder("music/jazz/01-so-what.mp3"), JobStatus.COMPLETED);

        Map<String, String> device = PortStick.blkid(stick.partition());
        assertThat(device)
                .containsEntry("TYPE", "exfat")
                .containsEntry("LABEL", "ANA-MIX")
                .containsEntry("PART_ENTRY_TYPE", "0x7");
        assertThat(done.stick().fsType()).isEqualTo("exfat");
        assertThat(done.stick().id()).isEqualTo(device.get("UUID"));
    }

    @Test
    void aStickPulledMidWriteEndsAsRemovedAndTheOrderCompletesOnAnotherPortWithItsAttemptBack()
            throws Exception {
        PortStick.requireTools("ext4");
        PipelineRuntime.writeRandom(root.resolve("library/big/24mib.bin"), (int) (24 * MIB));
        start(Map.of());
        PortStick first = stick(PortStick.withPartition(image(), STICK, "ext4", ""));
        PortStick second = stick(PortStick.withPartition(image(), STICK, "ext4", ""));
        String numbers = majorMinor(first.disk());
        LoopStick.throttle(numbers, 2 * MIB);
        try {
            first.plugInto(portLink(1));
            awaitSlot("slot-1", "READY");
            String orderId = sendOrder("big/24mib.bin");
            // Copied into the page cache: its flush to the stick, throttled, takes seconds.
            StickSafetyTest.awaitFsync(root.resolve("slots/slot-1"), "24mib.bin", 24 * MIB);
            first.pull();
            second.plugInto(portLink(2));

            JobView done =
                    Awaitility.await("the order to complete on the other port")
                            .atMost(Duration.ofSeconds(120))
                            .until(
                                    () -> pipeline.reads().findByOrderId(orderId).orElse(null),
                                    job -> job != null && job.status() == JobStatus.COMPLETED);
            assertThat(done.slot()).isEqualTo("slot-2");
            assertThat(done.attempts()).as("the pulled stick gave its attempt back").isEqualTo(1);
            assertThat(pipeline.reads().logs(done.id(), 0))
                    .anySatisfy(line -> assertThat(line.errorCode()).isEqualTo("USB_REMOVED"));
            awaitSlot("slot-1", "EMPTY");
            assertThat(root.resolve("slots/slot-1"))
                    .as("nothing of the order under the empty mount point, on the host's disk")
                    .isEmptyDirectory();
        } finally {
            try {
                LoopStick.throttle(numbers, 0);
            } catch (IOException gone) {
                // the device is gone, and its rule with it
            }
        }
    }

    @Test
    void aStickOfTheSizeClassWithoutRoomForTheOrderIsNotKeptForIt() throws Exception {
        PortStick.requireTools("ext4");
        // An 8 MiB stick whose ext4 has about 6 MiB free, and an order of 7 MB bought as 8 MiB.
        PipelineRuntime.writeRandom(root.resolve("library/big/7mb.bin"), 7_000_000);
        start(Map.of());
        stick(PortStick.withPartition(image(), 8 * MIB, "ext4", "")).plugInto(portLink(1));
        awaitSlot("slot-1", "READY");
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).capacity(8 * MIB).file("big/7mb.bin").json());
        JobView waiting = pipeline.awaitJob(orderId, JobStatus.WAITING);

        Awaitility.await("the job to keep waiting, and the stick to stay READY")
                .during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(5))
                .until(
                        () ->
                                waitsForAStick(waiting.id()) == 1
                                        && slotNamed("slot-1")
                                                .get("state")
                                                .asText()
                                                .equals("READY"));
    }

    @Test
    void theProductRefusesToStartOnPortsItCannotMount() throws Exception {
        LoopStick.requireMountRights();
        Path helper = root.resolve("helper");
        Files.writeString(helper, "#!/bin/sh\necho 'not allowed here' >&2\nexit 1\n");
        helper.toFile().setExecutable(true);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> start(Map.of("pipeline.usb.privileged-helper", helper.toString())))
                .hasStackTraceContaining("pipeline.usb.privileged-helper cannot mount sticks")
                .hasStackTraceContaining("not allowed here");
    }

    /** How often the job's log says it waits for a stick. */
    private long waitsForAStick(String jobId) {
        return pipeline.reads().logs(jobId, 0).stream()
                .filter(line -> line.message().matches("Waiting for a .* stick.*"))
                .count();
    }

    private void start(Map<String, String> more) throws Exception {
        Map<String, String> settings = new HashMap<>(PortStick.TEST_MOUNTS);
        settings.put("pipeline.usb.mounts", "");
        settings.put(
                "pipeline.usb.ports",
                IntStream.rangeClosed(1, 3)
                        .mapToObj(port -> "slot-" + port + "=" + portLink(port))
                        .collect(Collectors.joining(",")));
        settings.put("pipeline.usb.mount-root", root.resolve("slots").toString());
        settings.put("pipeline.usb.slot-kind", "stick");
        settings.put("pipeline.usb.require-mount", "true");
        settings.put("pipeline.usb.set-label", "true");
        settings.put("pipeline.usb.eject", "true");
        settings.put("pipeline.usb.scan-interval", "100ms");
        settings.put("pipeline.metrics.waiting-refresh", "200ms");
        settings.put("pipeline.retry.delays", "200ms,60s");
        settings.put("pipeline.retry.jitter", "0");
        settings.putAll(more);
        pipeline = PipelineRuntime.startOnH2(root, settings);
    }

    private Path portLink(int port) {
        return root.resolve("ports/port-" + port);
    }

    private Path image() {
        return root.resolve("images/" + sticks.size() + ".img");
    }

    private PortStick stick(PortStick stick) {
        sticks.add(stick);
        return stick;
    }

    private String sendOrder(String file) throws Exception {
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).capacity(CAPACITY).file(file).json());
        return orderId;
    }

    private static String majorMinor(String device) throws IOException {
        return LoopStick.run("lsblk", "--nodeps", "--noheadings", "--output", "MAJ:MIN", device)
                .trim();
    }

    private JsonNode slotNamed(String name) throws Exception {
        HttpResponse<String> response = pipeline.http("GET", "/api/slots", null);
        for (JsonNode slot : JSON.readTree(response.body())) {
            if (slot.get("slot").asText().equals(name)) {
                return slot;
            }
        }
        throw new AssertionError("no slot " + name + " in " + response.body());
    }

    private JsonNode awaitSlot(String name, String state) {
        return Awaitility.await(name + " to be " + state)
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> slotNamed(name), slot -> slot.get("state").asText().equals(state));
    }
}
