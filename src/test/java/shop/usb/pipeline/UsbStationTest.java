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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.JobView;
import shop.usb.pipeline.support.LoopStick;
import shop.usb.pipeline.support.OnEachDatabase;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.ShopListener;
import shop.usb.pipeline.support.ShopListener.Received;
import shop.usb.pipeline.support.TestDatabase;

/**
 * The station: one order per stick, on real sticks (ext4 images on loop devices mounted on the slot
 * folders) and on the demo's folders that stand in for sticks.
 */
@OnEachDatabase
class UsbStationTest {

    static final long MIB = 1024 * 1024;

    /** What the orders here were bought on: a "100 MB" stick; the 96 MiB test sticks fit it. */
    static final long CAPACITY = 100_000_000L;

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path root;
    PipelineRuntime pipeline;
    TestDatabase database;
    final List<LoopStick> sticks = new ArrayList<>();
    final List<ShopListener> shops = new ArrayList<>();

    @Parameter TestDatabase.Engine engine;

    @AfterEach
    void stop() throws Exception {
        for (ShopListener shop : shops) {
            shop.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        for (LoopStick stick : sticks) {
            stick.close();
        }
    }

    @Test
    void stickTakesOneOrderIsDoneUntilPulledAndANonBlankStickIsFaultyUntilReplaced()
            throws Exception {
        start(true);
        Path slot1 = root.resolve("usb/slot-1");
        Path slot2 = root.resolve("usb/slot-2");
        assertThat(slots())
                .extracting(slot -> slot.get("state").asText())
                .containsExactly("EMPTY", "EMPTY");

        ShopListener shop = listen("usb-station-pulled");
        LoopStick first = stick(slot1, 96);
        awaitSlot("slot-1", "READY");
        String firstOrder = sendOrder();
        JobView delivered = pipeline.awaitJob(firstOrder, JobStatus.COMPLETED);
        JsonNode done = awaitSlot("slot-1", "DONE");
        assertThat(done.get("orderId").asText()).isEqualTo(firstOrder);
        assertThat(done.get("label").asText()).isEqualTo("ANA-MIX");
        assertThat(done.get("stick").get("sizeBytes").asLong()).isEqualTo(96 * MIB);
        assertThat(delivered.slot()).isEqualTo("slot-1");
        assertThat(delivered.stick().id()).isEqualTo(done.get("stick").get("id").asText());
        assertThat(delivered.stick().fsType()).isEqualTo("ext4");
        assertThat(delivered.manifestSha256()).hasSize(64);
        assertThat(
                        pipeline.http(
                                        "GET",
                                        "/api/jobs?stick="
                                                + delivered.stick().id().replace(" ", "%20"),
                                        null)
                                .body())
                .contains(firstOrder);

        // The next order does not go onto the DONE stick: it waits, holding nothing, for the next
        // blank one.
        String secondOrder = sendOrder();
        JobView waiting = pipeline.awaitJob(secondOrder, JobStatus.WAITING);
        assertThat(waiting.waitingFor()).isEqualTo("a 100 MB stick");
        assertThat(waiting.attempts()).as("waiting uses no attempt").isZero();
        assertThat(waiting.errorCode()).isNull();
        stick(slot2, 96);
        JobView second = pipeline.awaitJob(secondOrder, JobStatus.COMPLETED);
        assertThat(second.slot()).isEqualTo("slot-2");
        assertThat(second.attempts()).isEqualTo(1);
        assertThat(Files.list(slot1).map(p -> p.getFileName().toString()))
                .as("the first customer's stick holds only their order")
                .containsExactlyInAnyOrder(firstOrder, "lost+found");

        first.unplug();
        awaitSlot("slot-1", "EMPTY");
        // Pulled out: the stick went to the customer, and the shop hears so.
        assertThat(shop.awaitType(firstOrder, "shop.usb.order.handed-over"))
                .last()
                .satisfies(
                        pulled ->
                                assertThat(pulled.data().path("slot").asText())
                                        .isEqualTo("slot-1"));
        first.plugIn();
        JsonNode notBlank = awaitSlot("slot-1", "FAULTY");
        assertThat(notBlank.get("problem").asText()).contains("not blank").contains(firstOrder);

        HttpResponse<String> released = pipeline.http("POST", "/api/slots/slot-1/release", null);
        assertThat(released.statusCode()).isEqualTo(200);
        assertThat(awaitSlot("slot-1", "FAULTY").get("problem").asText()).contains("not blank");
        assertThat(slot1.resolve(firstOrder))
                .as("a release never deletes anything on a stick")
                .isDirectory();

        first.unplug();
        awaitSlot("slot-1", "EMPTY");
        stick(slot1, 96);
        awaitSlot("slot-1", "READY");
        assertThat(pipeline.http("POST", "/api/slots/slot-9/release", null).statusCode())
                .isEqualTo(404);
    }

    @Test
    void stickTooSmallForTheOrdersSizeClassTakesNoOrder() throws Exception {
        start(true);
        stick(root.resolve("usb/slot-1"), 32);
        awaitSlot("slot-1", "READY");
        String orderId = sendOrder();

        assertThat(pipeline.awaitJob(orderId, JobStatus.WAITING).waitingFor())
                .isEqualTo("a 100 MB stick");
        Awaitility.await("the small stick to stay free")
                .during(Duration.ofMillis(600))
                .atMost(Duration.ofSeconds(3))
                .until(
                        () -> slotNamed("slot-1"),
                        slot -> slot.get("state").asText().equals("READY"));
        stick(root.resolve("usb/slot-2"), 96);
        assertThat(pipeline.awaitJob(orderId, JobStatus.COMPLETED).slot()).isEqualTo("slot-2");
    }

    @Test
    void doneSlotIsStillDoneAfterARestart() throws Exception {
        start(true);
        stick(root.resolve("usb/slot-1"), 96);
        awaitSlot("slot-1", "READY");
        String orderId = sendOrder();
        pipeline.awaitJob(orderId, JobStatus.COMPLETED);
        awaitSlot("slot-1", "DONE");

        pipeline.close();
        start(true);

        JsonNode slot = awaitSlot("slot-1", "DONE");
        assertThat(slot.get("orderId").asText()).isEqualTo(orderId);
        Awaitility.await()
                .during(Duration.ofMillis(600))
                .atMost(Duration.ofSeconds(3))
                .until(() -> slotNamed("slot-1").get("state").asText(), "DONE"::equals);
    }

    @Test
    void releaseOfADemoSlotHandsTheOrderOverAndTheSlotIsReadyAgain() throws Exception {
        start(false);
        ShopListener shop = listen("usb-station-release");
        awaitSlot("slot-1", "READY");
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).file("music/jazz/01-so-what.mp3").json());
        pipeline.awaitJob(orderId, JobStatus.COMPLETED);
        awaitSlot("slot-1", "DONE");
        String next = newOrderId();
        pipeline.sendText(ORDERS, order(next).file("music/jazz/01-so-what.mp3").json());
        assertThat(pipeline.awaitJob(next, JobStatus.COMPLETED).slot())
                .as("the DONE slot takes no other order")
                .isEqualTo("slot-2");

        HttpResponse<String> released = pipeline.http("POST", "/api/slots/slot-1/release", null);

        assertThat(released.statusCode()).isEqualTo(200);
        assertThat(root.resolve("data/delivered").resolve(orderId).resolve("MANIFEST.sha256"))
                .isRegularFile();
        assertThat(root.resolve("usb/slot-1").resolve(orderId)).doesNotExist();
        awaitSlot("slot-1", "READY");
        // The shop hears the hand-over once: a second release finds no delivered order there.
        assertThat(pipeline.http("POST", "/api/slots/slot-1/release", null).statusCode())
                .isEqualTo(200);
        Received handedOver = shop.awaitType(orderId, "shop.usb.order.handed-over").get(3);
        assertThat(handedOver.data().path("slot").asText()).isEqualTo("slot-1");
        // Both releases have answered, so whatever they wrote is in the outbox now.
        assertThat(
                        new JdbcTemplate(pipeline.dataSource())
                                .queryForList(
                                        "SELECT event_type FROM status_events WHERE order_id = ?"
                                                + " ORDER BY sequence",
                                        String.class,
                                        orderId))
                .containsExactly(
                        "shop.usb.order.accepted",
                        "shop.usb.order.processing",
                        "shop.usb.order.completed",
                        "shop.usb.order.handed-over");
    }

    @Test
    void waitingJobsGetStickByPriorityThenAgeAndAWaitingJobCanBeCancelled() throws Exception {
        start(false);
        for (String slot : List.of("slot-1", "slot-2")) {
            awaitSlot(slot, "READY");
        }
        List<String> filling = List.of(newOrderId(), newOrderId());
        for (String orderId : filling) {
            pipeline.sendText(ORDERS, order(orderId).file("music/jazz/01-so-what.mp3").json());
            pipeline.awaitJob(orderId, JobStatus.COMPLETED);
        }
        Map<String, String> byPriority = new LinkedHashMap<>();
        for (String priority : List.of("low", "normal", "cancelled", "high")) {
            String orderId = newOrderId();
            byPriority.put(priority, orderId);
            pipeline.sendText(
                    ORDERS,
                    order(orderId)
                            .set("priority", priority.equals("cancelled") ? "high" : priority)
                            .file("music/jazz/01-so-what.mp3")
                            .json());
            pipeline.awaitJob(orderId, JobStatus.WAITING);
        }
        Awaitility.await("the waiting jobs in the metrics")
                .atMost(Duration.ofSeconds(10))
                .until(
                        () ->
                                pipeline.management("GET", "/observe/metrics", null, Map.of())
                                        .body()
                                        .contains(
                                                "pipeline_jobs_waiting{sizeClass=\"16 GB\"} 4.0"));
        JobView doomed = pipeline.reads().findByOrderId(byPriority.get("cancelled")).orElseThrow();
        assertThat(pipeline.http("POST", "/api/jobs/" + doomed.id() + "/cancel", null).statusCode())
                .isEqualTo(200);
        assertThat(pipeline.http("GET", "/api/queue", null).body()).contains("\"waiting\":3");

        List<String> served = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String slot = "slot-" + (i % 2 + 1);
            pipeline.http("POST", "/api/slots/" + slot + "/release", null);
            String orderId =
                    Awaitility.await("a waiting job to take " + slot)
                            .atMost(Duration.ofSeconds(20))
                            .until(
                                    () -> slotNamed(slot),
                                    view ->
                                            view.get("state").asText().equals("DONE")
                                                    && !filling.contains(
                                                            view.get("orderId").asText())
                                                    && !served.contains(
                                                            view.get("orderId").asText()))
                            .get("orderId")
                            .asText();
            served.add(orderId);
        }

        assertThat(served)
                .containsExactly(
                        byPriority.get("high"), byPriority.get("normal"), byPriority.get("low"));
        assertThat(pipeline.reads().findById(doomed.id()).orElseThrow().status())
                .isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    void verifiedStickGetsTheOrdersLabelIsEjectedAndItsSlotStaysDoneUntilTheStickIsGone()
            throws Exception {
        start(true, Map.of("pipeline.usb.set-label", "true", "pipeline.usb.eject", "true"));
        LoopStick stick = stick(root.resolve("usb/slot-1"), 96);
        awaitSlot("slot-1", "READY");

        JobView completed = pipeline.awaitJob(sendOrder(), JobStatus.COMPLETED);

        assertThat(completed.volumeLabel()).isEqualTo("ANA-MIX");
        assertThat(LoopStick.run("e2label", stick.device()).trim()).isEqualTo("ANA-MIX");
        Awaitility.await("the stick to be unmounted")
                .atMost(Duration.ofSeconds(10))
                .until(() -> !LoopStick.isMountPoint(root.resolve("usb/slot-1")));
        Awaitility.await("the ejected stick's slot to stay DONE")
                .during(Duration.ofMillis(600))
                .atMost(Duration.ofSeconds(3))
                .until(() -> slotNamed("slot-1").get("state").asText(), "DONE"::equals);
        stick.unplug();
        awaitSlot("slot-1", "EMPTY");
    }

    @Test
    void orderThatNoStockedStickCouldTakeFailsAtOnceInsteadOfWaiting() throws Exception {
        start(true, Map.of("pipeline.usb.stocked-sizes", "8GB,4GB"));
        String orderId = newOrderId();

        pipeline.sendText(ORDERS, order(orderId).file("music/jazz/01-so-what.mp3").json());

        JobView failed = pipeline.awaitJob(orderId, JobStatus.FAILED);
        assertThat(failed.errorCode()).isEqualTo("NO_FITTING_STICK");
        assertThat(failed.errorRecoverable()).isFalse();
        assertThat(failed.errorMessage())
                .isEqualTo(
                        "usb.capacityBytes: the order was bought on a 16 GB stick; the"
                                + " station is stocked with [8 GB, 4 GB] only (pipeline.usb.stocked-sizes)");
        assertThat(failed.attempts()).isEqualTo(1);
    }

    @Test
    void wipedStickIsReadyAStickOfNoStockedSizeIsFaultyAndAWritingSlotCannotBeReleased()
            throws Exception {
        start(true, Map.of("pipeline.usb.wipe", "true", "pipeline.usb.stocked-sizes", "100MB"));
        LoopStick used = stick(root.resolve("usb/slot-1"), 96);
        PipelineRuntime.writeRandom(root.resolve("usb/slot-1/old-photos/beach.jpg"), 1000);
        stick(root.resolve("usb/slot-2"), 32);

        awaitSlot("slot-1", "READY");
        assertThat(root.resolve("usb/slot-1/old-photos")).as("wiped").doesNotExist();
        assertThat(awaitSlot("slot-2", "FAULTY").get("problem").asText())
                .isEqualTo(
                        "holds "
                                + 32 * MIB
                                + " bytes, which fits none of the stocked size classes [100 MB]");

        used.throttleWrites(MIB);
        PipelineRuntime.writeRandom(pipeline.library().resolve("big/8mib.bin"), (int) (8 * MIB));
        String orderId = newOrderId();
        pipeline.sendText(ORDERS, order(orderId).capacity(CAPACITY).file("big/8mib.bin").json());
        awaitSlot("slot-1", "WRITING");
        HttpResponse<String> busy = pipeline.http("POST", "/api/slots/slot-1/release", null);
        assertThat(busy.statusCode()).isEqualTo(409);
        assertThat(busy.body()).contains("is writing an order");
        assertThat(pipeline.awaitJob(orderId, JobStatus.COMPLETED).slot()).isEqualTo("slot-1");
    }

    private void start(boolean realSticks) throws Exception {
        start(realSticks, Map.of());
    }

    /** A shop's durable subscription to the status events, closed after the test. */
    private ShopListener listen(String subscription) throws Exception {
        ShopListener shop = ShopListener.subscribe(pipeline.brokerPort(), subscription);
        shops.add(shop);
        return shop;
    }

    /** Slots slot-1 and slot-2 of kind stick; on real mounts, or folders standing in for sticks. */
    private void start(boolean realSticks, Map<String, String> more) throws Exception {
        Files.createDirectories(root.resolve("usb/slot-1"));
        Files.createDirectories(root.resolve("usb/slot-2"));
        Map<String, String> settings =
                new HashMap<>(
                        Map.of(
                                "pipeline.usb.mounts",
                                        root.resolve("usb/slot-1")
                                                + ","
                                                + root.resolve("usb/slot-2"),
                                "pipeline.usb.slot-kind", "stick",
                                "pipeline.usb.require-mount", String.valueOf(realSticks),
                                "pipeline.usb.scan-interval", "100ms",
                                "pipeline.metrics.waiting-refresh", "200ms",
                                "pipeline.usb.allocation-timeout", "20s",
                                "pipeline.retry.delays", "200ms,60s",
                                "pipeline.retry.jitter", "0"));
        settings.putAll(more);
        if (database == null) {
            database = engine.create(root);
        }
        pipeline = PipelineRuntime.start(root, database, settings);
    }

    /** A new order bought on a "100 MB" stick; returns its id. */
    private String sendOrder() throws Exception {
        String orderId = newOrderId();
        pipeline.sendText(
                ORDERS, order(orderId).capacity(CAPACITY).file("music/jazz/01-so-what.mp3").json());
        return orderId;
    }

    private LoopStick stick(Path slot, int mib) throws IOException {
        LoopStick stick =
                LoopStick.mount(root.resolve("images/" + sticks.size() + ".img"), slot, mib);
        sticks.add(stick);
        return stick;
    }

    private List<JsonNode> slots() throws Exception {
        HttpResponse<String> response = pipeline.http("GET", "/api/slots", null);
        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> slots = new ArrayList<>();
        JSON.readTree(response.body()).forEach(slots::add);
        return slots;
    }

    private JsonNode slotNamed(String name) throws Exception {
        return slots().stream()
                .filter(slot -> slot.get("slot").asText().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private JsonNode awaitSlot(String name, String state) {
        return Awaitility.await(name + " to be " + state)
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> slotNamed(name), slot -> slot.get("state").asText().equals(state));
    }
}
