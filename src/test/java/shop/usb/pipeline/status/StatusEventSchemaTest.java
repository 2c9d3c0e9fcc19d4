package shop.usb.pipeline.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.job.Delivery;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.job.RunRecord;
import shop.usb.pipeline.job.SqlStatements;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.job.StatusEvent;
import shop.usb.pipeline.job.StatusOutbox;
import shop.usb.pipeline.support.JsonSchemas;
import shop.usb.pipeline.support.TestDatabase;

/**
 * The event contract is written twice: config/status-event.schema.json for the shops, and the
 * product's StatusEvent and StatusRelay. An order driven through every transition the shop hears of
 * gives one event of each type, as the relay sends it; each must match the schema, and the schema
 * must refuse what breaks the contract.
 */
class StatusEventSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Schema SCHEMA = JsonSchemas.load("status-event");

    private static final Delivery DELIVERY =
            new Delivery(
                    "slot-1",
                    "8A3F-11C2",
                    "SER-0042",
                    1_000_000L,
                    "vfat",
                    "SUMMER",
                    "direct",
                    "ab".repeat(32),
                    "SUMMER");

    @TempDir Path folder;
    HikariDataSource dataSource;
    JobLifecycle jobs;
    RunRecord record;

    @BeforeEach
    void openDatabase() {
        dataSource = TestDatabase.h2(folder.resolve("db")).openMigrated();
        jobs = new JobLifecycle(dataSource, "station-1", Clock.systemUTC());
        record = new RunRecord(dataSource, "station-1", Duration.ZERO, Clock.systemUTC());
    }

    @AfterEach
    void closeDatabase() {
        dataSource.close();
    }

    @Test
    void everyEventTheProductSendsMatchesTheSchema() throws Exception {
        List<JsonNode> events = eventsOfEveryTransition();

        assertThat(events)
                .extracting(event -> event.path("type").asText())
                .containsAll(
                        Arrays.stream(StatusEvent.Type.values())
                                .map(StatusEvent.Type::ceType)
                                .toList());
        for (JsonNode event : events) {
            assertThat(violations(event)).as(event.toString()).isEmpty();
        }
    }

    @Test
    void oneOrdersEventsAreNumberedWithoutGap() throws Exception {
        List<JsonNode> events = eventsOfEveryTransition();

        List<String> sequences =
                events.stream()
                        .filter(event -> event.path("subject").asText().equals("ORD-ALL"))
                        .map(event -> event.path("sequence").asText())
                        .toList();
        List<String> expected = new ArrayList<>();
        for (int n = 1; n <= sequences.size(); n++) {
            expected.add(String.format("%010d", n));
        }
        assertThat(sequences).hasSizeGreaterThan(10).isEqualTo(expected);
    }

    @Test
    void theSchemaRefusesWhatBreaksTheContract() throws Exception {
        JsonNode completed =
                eventsOfEveryTransition().stream()
                        .filter(event -> event.path("type").asText().endsWith(".completed"))
                        .findFirst()
                        .orElseThrow();
        List<Consumer<ObjectNode>> breaks =
                List.of(
                        event -> event.remove("sequence"),
                        event -> event.put("sequence", "7"),
                        event -> event.put("type", "shop.usb.order.lost"),
                        event -> event.put("specversion", "0.3"),
                        event -> event.put("subject", "../etc"),
                        event -> ((ObjectNode) event.get("data")).remove("manifestSha256"),
                        event -> ((ObjectNode) event.get("data")).put("status", "FAILED"),
                        event -> ((ObjectNode) event.get("data")).put("secret", "x"));
        for (Consumer<ObjectNode> broken : breaks) {
            ObjectNode copy = completed.deepCopy();
            broken.accept(copy);
            assertThat(violations(copy)).as(copy.toString()).isNotEmpty();
        }
    }

    /**
     * One order through every transition, another cancelled, as the relay would send their events
     * (its query, its envelope).
     */
    private List<JsonNode> eventsOfEveryTransition() throws Exception {
        String id = jobs.create("ORD-ALL", "high", null, "{}").orElseThrow();
        JobRun run = claim(id);
        record.waitForStick(run, Stage.WRITE_USB, "a 64 GB stick", "none is ready", 64L, "");
        jobs.dispatchWaiting(id);
        run = claim(id);
        record.scheduleRetry(run, Stage.WRITE_USB, ErrorCode.IO_ERROR, "read error", Duration.ZERO);
        run = claim(id);
        record.fail(run, Stage.VERIFY, ErrorCode.VERIFICATION_FAILED, "a.mp3 differs");
        jobs.requeue(id, "anna");
        run = claim(id);
        record.complete(run, "done", DELIVERY, () -> {});
        jobs.recordReverify(id, true, "All 3 files as written");
        jobs.recordDuplicate(id);
        StatusOutbox outbox = new StatusOutbox(dataSource, "station-1", Clock.systemUTC());
        new TransactionTemplate(new DataSourceTransactionManager(dataSource))
                .executeWithoutResult(
                        tx -> outbox.record(id, StatusEvent.handedOver("slot-1", "8A3F-11C2")));
        String cancelled = jobs.create("ORD-CANCELLED", "normal", null, "{}").orElseThrow();
        jobs.cancel(cancelled, "anna");

        StatusRelay relay =
                new StatusRelay(outbox, false, new SimpleMeterRegistry(), Clock.systemUTC());
        List<JsonNode> events = new ArrayList<>();
        DefaultCamelContext camel = new DefaultCamelContext();
        for (Map<String, Object> row :
                new NamedParameterJdbcTemplate(dataSource)
                        .queryForList(SqlStatements.get("find-unsent-status-events"), Map.of())) {
            Exchange exchange = new DefaultExchange(camel);
            exchange.getMessage().setBody(row);
            relay.envelope(exchange);
            JsonNode event = JSON.readTree(exchange.getMessage().getBody(String.class));
            assertThat(exchange.getMessage().getHeader("_AMQ_DUPL_ID"))
                    .isEqualTo(event.path("id").asText());
            events.add(event);
        }
        return events;
    }

    private JobRun claim(String id) {
        return jobs.claim(JobRun.of(id), "station-1").orElseThrow().run();
    }

    private static List<?> violations(JsonNode event) {
        return SCHEMA.validate(event.toString(), InputFormat.JSON);
    }
}
