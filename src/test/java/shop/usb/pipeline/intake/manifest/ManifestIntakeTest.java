package shop.usb.pipeline.intake.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Manifests.HEADER;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.JobView;
import shop.usb.pipeline.support.Manifests;
import shop.usb.pipeline.support.OnEachDatabase;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;

/**
 * Manifests dropped in the inbox: every order is accepted, rejected with its line, field and
 * reason, or reported as a duplicate; the file ends in done/ or error/ beside its report.
 */
@OnEachDatabase
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManifestIntakeTest {

    static final String CONFIRMED = "2026-11-22T10:00:00Z";
    PipelineRuntime pipeline;
    Manifests manifests;

    @Parameter TestDatabase.Engine engine;

    @BeforeParameterizedClassInvocation(injectArguments = false)
    void startPipeline(@TempDir Path root) throws Exception {
        pipeline =
                PipelineRuntime.start(
                        root,
                        engine.create(root),
                        Map.of(
                                "pipeline.manifest.stable-for", "1s",
                                "pipeline.manifest.poll-interval", "200"));
        manifests = new Manifests(root.resolve("data/inbox"));
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    static String prefix() {
        return "M" + UUID.randomUUID().toString().substring(0, 6) + "-";
    }

    @Test
    void csvManifestAcceptsGoodLinesAndReportsEveryBadOne() throws Exception {
        String p = prefix();
        String csv =
                HEADER
                        + p
                        + "1,"
                        + CONFIRMED
                        + ",high,16000000000,\"Ana, mix\",collection:music/salsa|file:movies/coco.mp4\n"
                        + p
                        + "2,"
                        + CONFIRMED
                        + ",,16000000000,,file:music/jazz/01-so-what.mp3\n"
                        + p
                        + "3,"
                        + CONFIRMED
                        + ",normal,lots,,file:music/jazz/01-so-what.mp3\n"
                        + p
                        + "4,yesterday,normal,1000000,,file:music/jazz/01-so-what.mp3\n"
                        + p
                        + "5,"
                        + CONFIRMED
                        + ",normal,1000000,,file:../outside/secret.txt\n"
                        + p
                        + "6,"
                        + CONFIRMED
                        + ",normal,1000000,,file:music/leak\n"
                        + p
                        + "7,"
                        + CONFIRMED
                        + ",normal,1000000,,disk:music/salsa\n"
                        + p
                        + "8,"
                        + CONFIRMED
                        + ",normal,1000000\n"
                        + p
                        + "1,"
                        + CONFIRMED
                        + ",normal,1000000,,file:music/jazz/01-so-what.mp3\n"
                        + "\""
                        + p
                        + "9,"
                        + CONFIRMED
                        + "\n"
                        + ","
                        + CONFIRMED
                        + ",normal,100,,file:music/jazz/01-so-what.mp3\n"
                        + "\n"
                        + p
                        + "10,"
                        + CONFIRMED
                        + ",normal,1000000,,file:movies/nope.mp4\n";
        manifests.drop("mixed.csv", csv);

        JsonNode report = manifests.awaitReport("done", "mixed.csv");

        assertThat(report.path("format").asText()).isEqualTo("csv");
        assertThat(report.path("outcome").asText()).isEqualTo("read");
        assertThat(report.path("accepted").asInt()).isEqualTo(2);
        assertThat(report.path("duplicates").asInt()).isEqualTo(1);
        assertThat(report.path("rejected").asInt()).isEqualTo(9);
        assertThat(rejection(report, 4)).isEqualTo(p + "3 INVALID_ORDER capacityBytes");
        assertThat(rejection(report, 5)).isEqualTo(p + "4 INVALID_ORDER confirmedAt");
        assertThat(rejection(report, 6)).isEqualTo(p + "5 PATH_OUTSIDE_LIBRARY content");
        assertThat(rejection(report, 7)).isEqualTo(p + "6 PATH_OUTSIDE_LIBRARY content");
        assertThat(rejection(report, 8)).isEqualTo(p + "7 INVALID_ORDER content");
        assertThat(rejection(report, 9)).isEqualTo(p + "8 INVALID_ORDER line");
        assertThat(rejection(report, 11)).isEqualTo("null INVALID_ORDER line");
        assertThat(rejection(report, 12)).isEqualTo("null INVALID_ORDER orderId");
        assertThat(rejection(report, 14)).isEqualTo(p + "10 CONTENT_NOT_FOUND content");
        JsonNode duplicate = report.path("duplicateLines").get(0);
        assertThat(duplicate.path("line").asInt()).isEqualTo(10);
        assertThat(duplicate.path("reason").asText()).isEqualTo("repeats the order on line 2");
        assertThat(report.path("rejectedLines").findValuesAsText("reason"))
                .allMatch(reason -> !reason.isBlank());

        JobView first = pipeline.awaitJob(p + "1", JobStatus.COMPLETED);
        assertThat(first.priority()).isEqualTo("high");
        assertThat(first.filesWritten()).isEqualTo(4);
        pipeline.awaitJob(p + "2", JobStatus.COMPLETED);
        for (int rejected = 3; rejected <= 10; rejected++) {
            assertThat(pipeline.jobsOf(p + rejected)).as("order %s%d", p, rejected).isEmpty();
        }
        assertThat(manifests.inbox().resolve("mixed.csv")).doesNotExist();
    }

    @Test
    void jsonManifestInEitherShapeAcceptsGoodOrdersAndRejectsBadOnes() throws Exception {
        String p = prefix();
        String wrapped =
                "{\"exportedAt\": \"2026-11-22\", \"orders\": [\n"
                        + order(p + "1").file("music/jazz/01-so-what.mp3").json()
                        + ",\n"
                        + order(p + "2").file("music/jazz/01-so-what.mp3").without("usb").json()
                        + ",\n"
                        + "42,\n"
                        + order(p + "3").file("/etc/passwd").json()
                        + "\n"
                        + "], \"source\": \"shop\"}";
        manifests.drop("wrapped.json", wrapped);
        manifests.drop("array.json", "[" + order(p + "4").collection("music/salsa").json() + "]");

        JsonNode report = manifests.awaitReport("done", "wrapped.json");
        assertThat(report.path("accepted").asInt()).isEqualTo(1);
        assertThat(report.path("rejected").asInt()).isEqualTo(3);
        assertThat(rejection(report, 3)).isEqualTo(p + "2 INVALID_ORDER usb");
        assertThat(rejection(report, 4)).isEqualTo("null INVALID_ORDER $");
        assertThat(rejection(report, 5)).isEqualTo(p + "3 PATH_OUTSIDE_LIBRARY content[0].file");
        assertThat(manifests.awaitReport("done", "array.json").path("accepted").asInt())
                .isEqualTo(1);
        pipeline.awaitJob(p + "1", JobStatus.COMPLETED);
        pipeline.awaitJob(p + "4", JobStatus.COMPLETED);
        assertThat(pipeline.jobsOf(p + "2")).isEmpty();
    }

    @Test
    void documentedExamplesAreAcceptedWhole() throws Exception {
        for (String example : List.of("manifest.csv", "manifest.json")) {
            manifests.drop(example, Files.readAllBytes(Path.of("config/examples", example)));
        }
        JsonNode csv = manifests.awaitReport("done", "manifest.csv");
        JsonNode json = manifests.awaitReport("done", "manifest.json");

        assertThat(csv.path("accepted").asInt()).isEqualTo(3);
        assertThat(json.path("accepted").asInt()).isEqualTo(2);
        assertThat(pipeline.awaitJob("ORD-20001", JobStatus.COMPLETED).filesWritten()).isEqualTo(4);
        pipeline.awaitJob("ORD-20003", JobStatus.COMPLETED);
        pipeline.awaitJob("ORD-30001", JobStatus.COMPLETED);
    }

    @Test
    void droppedAgainManifestCreatesNoJobsAndListsDuplicates() throws Exception {
        String p = prefix();
        String csv =
                HEADER
                        + p
                        + "1,"
                        + CONFIRMED
                        + ",low,16000000000,,file:music/jazz/01-so-what.mp3\n"
                        + p
                        + "2,"
                        + CONFIRMED
                        + ",low,16000000000,,file:music/jazz/01-so-what.mp3\n";
        manifests.drop("again.csv", csv);
        assertThat(manifests.awaitReport("done", "again.csv").path("accepted").asInt())
                .isEqualTo(2);
        String firstJob = pipeline.awaitJob(p + "1", JobStatus.COMPLETED).id();
        pipeline.awaitJob(p + "2", JobStatus.COMPLETED);

        manifests.drop("again.csv", csv);

        JsonNode second = manifests.awaitReport("done", "again-2.csv");
        assertThat(second.path("manifest").asText()).isEqualTo("again.csv");
        assertThat(second.path("accepted").asInt()).isZero();
        assertThat(second.path("duplicates").asInt()).isEqualTo(2);
        assertThat(second.path("duplicateLines").get(0).path("reason").asText())
                .isEqualTo("the order already has job " + firstJob + " (COMPLETED)");
        assertThat(manifests.awaitReport("done", "again.csv").path("accepted").asInt())
                .as("the first report is kept")
                .isEqualTo(2);
        assertThat(pipeline.jobsOf(p + "1")).hasSize(1);
        assertThat(pipeline.jobsOf(p + "2")).hasSize(1);
    }

    @Test
    void orderTakenInElsewhereBetweenCheckAndRecordIsADuplicateAndAReadAgainResendsQueuedJobs()
            throws Exception {
        String p = prefix();
        ManifestIntake intake =
                pipeline.context()
                        .getRegistry()
                        .lookupByNameAndType(ManifestIntake.BEAN_NAME, ManifestIntake.class);
        ManifestReport report = new ManifestReport("race.csv", ManifestFormat.CSV, Instant.now());
        List<ManifestEntry> batch = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            batch.add(
                    ManifestEntry.of(
                            i + 1,
                            p + i,
                            new ObjectMapper()
                                    .readTree(
                                            order(p + i)
                                                    .file("music/jazz/01-so-what.mp3")
                                                    .json())));
        }
        CheckedBatch checked = intake.check(batch, report);
        assertThat(checked.acceptable()).hasSize(2);
        assertThat(checked.resent()).isEmpty();
        // No job message goes out for either job: record() leaves that to the route.
        String elsewhere = pipeline.jobs().create(p + "1", "normal", null, "{}").orElseThrow();

        List<FollowUp> runs = intake.record(checked, report);

        assertThat(runs)
                .singleElement()
                .extracting(FollowUp::jobId)
                .isEqualTo(pipeline.jobsOf(p + "2").get(0).id());
        assertThat(report.accepted()).isEqualTo(1);
        assertThat(report.duplicates()).isEqualTo(1);
        assertThat(report.toMap(Instant.now(), "race.csv").get("duplicateLines"))
                .asInstanceOf(InstanceOfAssertFactories.LIST)
                .singleElement()
                .isEqualTo(
                        Map.of(
                                "line",
                                2,
                                "orderId",
                                p + "1",
                                "reason",
                                "the order already has job " + elsewhere + " (QUEUED)"));
        assertThat(pipeline.jobsOf(p + "1")).hasSize(1);

        CheckedBatch readAgain =
                intake.check(
                        batch, new ManifestReport("race.csv", ManifestFormat.CSV, Instant.now()));
        assertThat(readAgain.acceptable()).isEmpty();
        assertThat(readAgain.resent())
                .as("QUEUED jobs whose messages may never have gone out get them again")
                .extracting(FollowUp::jobId)
                .containsExactlyInAnyOrder(elsewhere, runs.get(0).jobId());
    }

    @Test
    void fileStillBeingWrittenIsReadOnlyWhenComplete() throws Exception {
        String p = prefix();
        Path file = manifests.inbox().resolve("growing.csv");
        Files.createDirectories(manifests.inbox());
        Files.writeString(file, HEADER);
        int lines = 25;
        AtomicInteger written = new AtomicInteger();
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        try {
            // A slow producer: one line every 100 ms, for longer than the product's stable-for
            // time.
            writer.scheduleAtFixedRate(
                    () -> {
                        int n = written.incrementAndGet();
                        if (n <= lines) {
                            append(
                                    file,
                                    p
                                            + n
                                            + ","
                                            + CONFIRMED
                                            + ",normal,16000000000,,file:music/jazz/01-so-what.mp3\n");
                        }
                    },
                    100,
                    100,
                    TimeUnit.MILLISECONDS);

            JsonNode report = manifests.awaitReport("done", "growing.csv");

            assertThat(written.get())
                    .as("read only after the last line was written")
                    .isGreaterThan(lines);
            assertThat(report.path("accepted").asInt()).isEqualTo(lines);
            assertThat(report.path("rejected").asInt()).isZero();
        } finally {
            writer.shutdownNow();
        }
    }

    @Test
    void unreadableFilesGoToErrorWithAReport() throws Exception {
        String p = prefix();
        manifests.drop(
                "broken.json",
                "[\n"
                        + order(p + "1").file("music/jazz/01-so-what.mp3").json()
                        + ",\n{\"orderId\": \n");
        manifests.drop("empty.csv", new byte[0]);
        manifests.drop("notes.txt", "orderId\n");
        manifests.drop("typo.csv", "orderId,confirmedAt,capacityBytes,lable,content\n");

        JsonNode broken = manifests.awaitReport("error", "broken.json");
        assertThat(broken.path("outcome").asText()).isEqualTo("unreadable");
        assertThat(broken.path("error").path("line").asInt()).isEqualTo(4);
        assertThat(broken.path("error").path("reason").asText()).startsWith("not valid JSON");
        assertThat(broken.path("accepted").asInt())
                .as("the order before the broken part")
                .isEqualTo(1);
        pipeline.awaitJob(p + "1", JobStatus.COMPLETED);
        assertThat(errorReason("empty.csv")).isEqualTo("the file is empty");
        assertThat(errorReason("notes.txt")).contains(".csv or .json");
        assertThat(errorReason("typo.csv")).contains("unknown column 'lable'");
        try (var left = Files.list(manifests.inbox())) {
            assertThat(
                            left.filter(Files::isRegularFile)
                                    .map(f -> f.getFileName().toString())
                                    .toList())
                    .doesNotContain("broken.json", "empty.csv", "notes.txt", "typo.csv");
        }
    }

    @Test
    void lineThatIsNotUtf8IsRejectedAlone() throws Exception {
        String p = prefix();
        byte[] latin1 =
                (p
                                + "2,"
                                + CONFIRMED
                                + ",normal,16000000000,Jos\u00e9,file:music/jazz/01-so-what.mp3\n")
                        .getBytes(StandardCharsets.ISO_8859_1);
        byte[] good =
                (p + "3," + CONFIRMED + ",normal,16000000000,,file:music/jazz/01-so-what.mp3\n")
                        .getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        csv.write(HEADER.getBytes(StandardCharsets.UTF_8));
        csv.write(latin1);
        csv.write(good);
        manifests.drop("latin1.csv", csv.toByteArray());

        JsonNode report = manifests.awaitReport("done", "latin1.csv");

        assertThat(rejection(report, 2)).isEqualTo("null INVALID_ORDER line");
        assertThat(report.path("accepted").asInt()).isEqualTo(1);
        pipeline.awaitJob(p + "3", JobStatus.COMPLETED);
        assertThat(pipeline.jobsOf(p + "2")).isEmpty();
    }

    @Test
    void symbolicLinkInTheInboxIsNotFollowed() throws Exception {
        Path secret = pipeline.root().resolve("outside/secret.txt");
        Files.createDirectories(manifests.inbox());
        Files.createSymbolicLink(manifests.inbox().resolve("link.csv"), secret);

        assertThat(errorReason("link.csv")).contains("symbolic link");
        assertThat(Files.isSymbolicLink(manifests.inbox().resolve("error/link.csv"))).isTrue();
        assertThat(secret).exists();
    }

    private String errorReason(String name) throws Exception {
        return manifests.awaitReport("error", name).path("error").path("reason").asText();
    }

    /** "ORDER_ID CODE FIELD" of the rejected line, or null when that line was not rejected. */
    private static String rejection(JsonNode report, int line) {
        for (JsonNode rejected : report.path("rejectedLines")) {
            if (rejected.path("line").asInt() == line) {
                List<String> fields = new ArrayList<>();
                rejected.path("errors").forEach(error -> fields.add(error.path("field").asText()));
                return rejected.path("orderId").asText(null)
                        + " "
                        + rejected.path("code").asText()
                        + " "
                        + String.join(",", fields);
            }
        }
        return null;
    }

    private static void append(Path file, String line) {
        try {
            Files.writeString(file, line, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
