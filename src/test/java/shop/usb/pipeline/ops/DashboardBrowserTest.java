package shop.usb.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.support.Chromium;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;
import shop.usb.pipeline.support.WebhookReceiver;

/**
 * The jobs dashboard in a real browser (headless Chromium): it shows a completed job with a full
 * progress bar, refreshes by itself, and a click on Retry moves a failed job on to COMPLETED; the
 * station panel asks for a DONE stick to be removed, and its release lets a waiting order take the
 * slot. .ci/run installs Chromium and sets PIPELINE_BROWSER_TESTS=required, so there it cannot be
 * skipped.
 */
class DashboardBrowserTest {

    static final String ROW = "[data-testid=job-row][data-order-id='%s']";

    @Test
    void operatorSeesACompletedJobAndRetriesAFailedOne(@TempDir Path root) throws Exception {
        Chromium.requireOrSkip();
        try (PipelineRuntime pipeline =
                PipelineRuntime.start(root, TestDatabase.h2(root.resolve("db")), Map.of())) {
            // The status events of these orders stay in the outbox: the dashboard shows them
            // waiting.
            pipeline.context().getRouteController().stopRoute("status-event-relay");
            pipeline.sendText(
                    "orders.confirmed", order("DASH-OK").file("music/jazz/01-so-what.mp3").json());
            pipeline.awaitJob("DASH-OK", JobStatus.COMPLETED);
            // Fails for a file that is missing now and present when the operator retries.
            pipeline.sendText(
                    "orders.confirmed", order("DASH-RETRY").file("later/track.mp3").json());
            pipeline.awaitJob("DASH-RETRY", JobStatus.FAILED);
            PipelineRuntime.writeRandom(pipeline.library().resolve("later/track.mp3"), 10_000);

            try (Chromium browser = Chromium.start()) {
                try {
                    useTheDashboard(pipeline, browser);
                } catch (AssertionError | RuntimeException e) {
                    try {
                        Files.write(
                                Path.of("target", "dashboard-failure.png"), browser.screenshot());
                    } catch (RuntimeException noScreenshot) {
                        // The browser itself may be what failed: keep the original error.
                        e.addSuppressed(noScreenshot);
                    }
                    throw e;
                }
            }
        }
    }

    private static void useTheDashboard(PipelineRuntime pipeline, Chromium browser)
            throws Exception {
        // A page of another origin on this machine, open in the operator's browser, posts a
        // "simple" request
        // (no preflight) at the retry endpoint; the retry would complete the job now.
        HttpServer elsewhere = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] page = "<title>elsewhere</title>".getBytes(StandardCharsets.UTF_8);
        elsewhere.createContext(
                "/",
                exchange -> {
                    exchange.getResponseHeaders().set("Content-Type", "text/html");
                    exchange.sendResponseHeaders(200, page.length);
                    exchange.getResponseBody().write(page);
                    exchange.close();
                });
        elsewhere.start();
        try {
            browser.navigate("http://127.0.0.1:" + elsewhere.getAddress().getPort() + "/");
            browser.evaluate(
                    "fetch('http://127.0.0.1:"
                            + pipeline.httpPort()
                            + "/api/jobs/"
                            + pipeline.jobsOf("DASH-RETRY").get(0).id()
                            + "/retry', {method: 'POST', mode: 'no-cors',"
                            + " headers: {'Content-Type': 'text/plain'}, body: 'x'}).then(() => window.sent = 'sent',"
                            + " e => window.sent = String(e))");
            await(
                    "the forged request to be sent",
                    () -> "sent".equals(browser.evaluate("window.sent").asText()));
        } finally {
            elsewhere.stop(0);
        }

        browser.navigate("http://127.0.0.1:" + pipeline.httpPort() + "/");

        await(
                "the completed job with a full bar",
                () ->
                        "100"
                                .equals(
                                        text(
                                                browser,
                                                String.format(ROW, "DASH-OK")
                                                        + " [data-testid=progress]",
                                                "dataset.progress")));
        assertThat(text(browser, String.format(ROW, "DASH-OK"), "dataset.status"))
                .isEqualTo("COMPLETED");
        assertThat(text(browser, String.format(ROW, "DASH-OK") + " .progress-bar", "style.width"))
                .isEqualTo("100%");
        assertThat(count(browser, String.format(ROW, "DASH-OK") + " [data-testid=retry-button]"))
                .isZero();
        // The cards come from a request of their own, answered alongside the table's.
        await(
                "the completed card to count the job",
                () ->
                        "1"
                                .equals(
                                        text(
                                                browser,
                                                "[data-testid=card-completed] .card-value",
                                                "textContent")));
        // Each order was accepted, processed, and completed or failed: six events, none sent.
        await(
                "the status events waiting for the shop",
                () -> "6".equals(text(browser, "[data-testid=status-backlog]", "textContent")));
        assertThat(text(browser, String.format(ROW, "DASH-RETRY"), "dataset.status"))
                .as("the other site's retry was refused")
                .isEqualTo("FAILED");

        browser.click(String.format(ROW, "DASH-RETRY") + " [data-testid=retry-button]");

        await(
                "the retried job to complete on the page",
                () ->
                        "COMPLETED"
                                .equals(
                                        text(
                                                browser,
                                                String.format(ROW, "DASH-RETRY"),
                                                "dataset.status")));
        assertThat(pipeline.jobsOf("DASH-RETRY").get(0).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(text(browser, "[data-testid=message]", "textContent")).contains("DASH-RETRY");
        // Its detail shows each attempt as a row: the failed one, then the one after the retry.
        browser.click(String.format(ROW, "DASH-RETRY"));
        await(
                "both attempts in the detail",
                () -> count(browser, "[data-testid=attempt-row]") == 2);
        assertThat(text(browser, "[data-testid=attempt-row]", "textContent"))
                .contains("CONTENT_NOT_FOUND");
        assertThat(count(browser, "[data-testid=timeline-event]"))
                .as("received, queued again by loopback")
                .isGreaterThanOrEqualTo(2);

        // Without a reload: a new job appears within 2 s. The page listens on GET /api/events and
        // polls
        // only every 15 s meanwhile, so the change arrives as an event.
        await(
                "the page listening for changes",
                () -> "stream".equals(browser.evaluate("document.body.dataset.updates").asText()));
        pipeline.sendText(
                "orders.confirmed", order("DASH-NEW").file("music/jazz/01-so-what.mp3").json());
        pipeline.awaitJob("DASH-NEW", JobStatus.COMPLETED);
        Awaitility.await("the new job on the page")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(
                        () ->
                                "COMPLETED"
                                        .equals(
                                                text(
                                                        browser,
                                                        String.format(ROW, "DASH-NEW"),
                                                        "dataset.status")));

        // The charts are drawn from GET /api/charts: a bar per minute, per failed error code, two
        // per stage.
        JsonNode charts =
                new ObjectMapper().readTree(pipeline.http("GET", "/api/charts", null).body());
        long apiCompleted = 0;
        for (JsonNode minute : charts.path("throughput")) {
            apiCompleted += minute.path("jobs").asLong();
        }
        long completed = apiCompleted;
        // The page redraws its charts every 10 s: wait for a drawing of at least this data.
        await(
                "the charts drawn from the API's data",
                () ->
                        count(browser, "[data-testid=chart-throughput] rect.bar") == 60
                                && browser.evaluate(
                                                        "Array.from(document.querySelectorAll('[data-testid=chart-throughput] rect.bar'))"
                                                                + ".reduce((sum, bar) => sum + Number(bar.dataset.value), 0)")
                                                .asLong()
                                        == completed);
        assertThat(completed).as("completed jobs drawn").isPositive();
        assertThat(count(browser, "[data-testid=chart-stages] rect.bar"))
                .isEqualTo(2 * charts.path("stages").size());
        assertThat(count(browser, "[data-testid=chart-failures] rect.bar"))
                .isEqualTo(charts.path("failures").size());

        // Search by business key: an order id by prefix narrows the list; clearing it brings all
        // back.
        type(browser, "[data-testid=search]", "DASH-RE");
        await(
                "only the searched job listed",
                () ->
                        count(browser, "[data-testid=job-row]") == 1
                                && count(browser, String.format(ROW, "DASH-RETRY")) == 1);
        assertThat(browser.evaluate("location.search").asText()).contains("q=DASH-RE");
        type(browser, "[data-testid=search]", "");
        await("every job listed again", () -> count(browser, "[data-testid=job-row]") == 3);
    }

    /** Types into a field as a person does: the value changes and the page hears an input event. */
    private static void type(Chromium browser, String selector, String value) {
        browser.evaluate(
                "(() => { const e = document.querySelector("
                        + quote(selector)
                        + "); e.value = "
                        + quote(value)
                        + "; e.dispatchEvent(new Event('input', {bubbles: true})); })()");
    }

    @Test
    void operatorRetriesEveryFailedJobAfterSeeingHowMany(@TempDir Path root) throws Exception {
        Chromium.requireOrSkip();
        try (PipelineRuntime pipeline =
                PipelineRuntime.start(root, TestDatabase.h2(root.resolve("db")), Map.of())) {
            for (String orderId : new String[] {"BULK-A", "BULK-B"}) {
                pipeline.sendText("orders.confirmed", order(orderId).file("later/bulk.mp3").json());
                pipeline.awaitJob(orderId, JobStatus.FAILED);
            }
            pipeline.sendText(
                    "orders.confirmed", order("BULK-OK").file("music/jazz/01-so-what.mp3").json());
            pipeline.awaitJob("BULK-OK", JobStatus.COMPLETED);

            try (Chromium browser = Chromium.start()) {
                browser.navigate("http://127.0.0.1:" + pipeline.httpPort() + "/?status=FAILED");
                await("the failed jobs listed", () -> count(browser, "[data-testid=job-row]") == 2);
                await(
                        "the failures chart drawn",
                        () ->
                                "2"
                                        .equals(
                                                text(
                                                        browser,
                                                        "[data-testid=chart-failures] rect.bar[data-label=CONTENT_NOT_FOUND]",
                                                        "dataset.value")));
                browser.click("[data-testid=bulk-retry]");
                await(
                        "the count asked first",
                        () ->
                                "Retry 2 failed jobs?"
                                        .equals(
                                                text(
                                                        browser,
                                                        "[data-testid=bulk-question]",
                                                        "textContent")));
                assertThat(pipeline.jobsOf("BULK-A").get(0).status())
                        .as("nothing changed before yes")
                        .isEqualTo(JobStatus.FAILED);

                PipelineRuntime.writeRandom(pipeline.library().resolve("later/bulk.mp3"), 10_000);
                browser.click("[data-testid=bulk-yes]");
                await(
                        "the result said",
                        () ->
                                "Queued again 2 of 2 jobs."
                                        .equals(
                                                text(
                                                        browser,
                                                        "[data-testid=message]",
                                                        "textContent")));
                pipeline.awaitJob("BULK-A", JobStatus.COMPLETED);
                pipeline.awaitJob("BULK-B", JobStatus.COMPLETED);
                await(
                        "the failed list emptied",
                        () -> count(browser, "[data-testid=job-row]") == 0);
            }
        }
    }

    /**
     * The shop's webhook refuses every post of an order's events: they are parked, listed on the
     * dashboard, and one re-sent from there reaches the receiver once it takes posts again.
     */
    @Test
    void operatorSeesParkedWebhookPostsAndResendsOne(@TempDir Path root) throws Exception {
        Chromium.requireOrSkip();
        WebhookReceiver receiver = WebhookReceiver.start();
        receiver.answer(post -> 503);
        try (receiver;
                PipelineRuntime pipeline =
                        PipelineRuntime.start(
                                root,
                                TestDatabase.h2(root.resolve("db")),
                                receiver.settings("", "1s"));
                Chromium browser = Chromium.start()) {
            pipeline.sendText(
                    "orders.confirmed",
                    order("DASH-HOOK").file("music/jazz/01-so-what.mp3").json());
            pipeline.awaitJob("DASH-HOOK", JobStatus.COMPLETED);
            browser.navigate("http://127.0.0.1:" + pipeline.httpPort() + "/");
            String parked = "[data-testid=parked-event][data-order-id='DASH-HOOK']";
            await("the order's three events parked", () -> count(browser, parked) == 3);
            assertThat(text(browser, parked, "textContent")).contains("HTTP 503");
            assertThat(text(browser, "[data-testid=parked-count]", "textContent")).isEqualTo("3");

            int refused = receiver.posts().size();
            receiver.answer(post -> 200);
            browser.click(parked + " [data-testid=resend-button]");

            await("two events still parked", () -> count(browser, parked) == 2);
            await(
                    "the receiver got the re-sent event",
                    () -> receiver.posts().size() == refused + 1);
            assertThat(receiver.posts().get(refused).orderId()).isEqualTo("DASH-HOOK");
        }
    }

    @Test
    void operatorReleasesADoneStickOnTheStationPanel(@TempDir Path root) throws Exception {
        Chromium.requireOrSkip();
        Map<String, String> station =
                Map.of("pipeline.usb.slot-kind", "stick", "pipeline.usb.scan-interval", "100ms");
        try (PipelineRuntime pipeline =
                PipelineRuntime.start(root, TestDatabase.h2(root.resolve("db")), station)) {
            for (String orderId : new String[] {"DASH-A", "DASH-B", "DASH-C"}) {
                pipeline.sendText(
                        "orders.confirmed",
                        order(orderId).file("music/jazz/01-so-what.mp3").json());
                pipeline.awaitJob(
                        orderId,
                        job ->
                                job.status() != JobStatus.QUEUED
                                        && job.status() != JobStatus.PROCESSING,
                        "fill a stick or wait for one");
            }
            assertThat(pipeline.jobsOf("DASH-C").get(0).status()).isEqualTo(JobStatus.WAITING);
            try (Chromium browser = Chromium.start()) {
                browser.navigate("http://127.0.0.1:" + pipeline.httpPort() + "/");
                String slotA = "[data-testid=slot-tile][data-slot='slot-a']";
                await(
                        "slot-a DONE with its label",
                        () ->
                                "DONE".equals(text(browser, slotA, "dataset.state"))
                                        && text(browser, slotA + " .slot-hint", "textContent")
                                                .contains("ANA-MIX"));
                assertThat(text(browser, "[data-testid=waiting-jobs]", "textContent"))
                        .contains("DASH-C");

                browser.click(slotA + " [data-testid=release-button]");

                // State and order read in one look: two looks could straddle a redraw (DONE of the
                // last
                // order, then the next order WRITING).
                await(
                        "the waiting order to take the released slot",
                        () ->
                                browser.evaluate(
                                                "(() => { const e ="
                                                        + " document.querySelector("
                                                        + quote(slotA)
                                                        + "); return e.dataset.state + ' '"
                                                        + " + e.querySelector('.slot-detail').textContent; })()")
                                        .asText()
                                        .startsWith("DONE DASH-C"));
                assertThat(pipeline.jobsOf("DASH-C").get(0).slot()).isEqualTo("slot-a");
                assertThat(text(browser, "[data-testid=waiting-jobs]", "textContent"))
                        .doesNotContain("DASH-C");
            }
        }
    }

    @Test
    void aProductionDashboardAsksForTheToken(@TempDir Path root) throws Exception {
        Chromium.requireOrSkip();
        Map<String, String> production =
                Map.of(
                        "pipeline.api.token",
                        "s3cret-token",
                        "pipeline.api.token-for-reads",
                        "true");
        try (PipelineRuntime pipeline =
                PipelineRuntime.start(root, TestDatabase.h2(root.resolve("db")), production)) {
            pipeline.sendText("orders.confirmed", order("DASH-PROD").file("later/gone.mp3").json());
            pipeline.awaitJob("DASH-PROD", JobStatus.FAILED);
            try (Chromium browser = Chromium.start()) {
                browser.navigate("http://127.0.0.1:" + pipeline.httpPort() + "/");
                await(
                        "the dashboard to ask for the token",
                        () ->
                                browser.evaluate(
                                                "document.querySelector('[data-testid=token-form]').classList.contains('needs-token')")
                                        .asBoolean());
                assertThat(count(browser, String.format(ROW, "DASH-PROD"))).isZero();

                browser.evaluate(
                        "(() => { const input = document.querySelector('[data-testid=token-input]');"
                                + " input.value = 's3cret-token'; input.dispatchEvent(new Event('input')); })()");

                await(
                        "the failed job listed once the token is given",
                        () ->
                                "FAILED"
                                        .equals(
                                                text(
                                                        browser,
                                                        String.format(ROW, "DASH-PROD"),
                                                        "dataset.status")));
            }
        }
    }

    private static void await(String what, Callable<Boolean> condition) {
        Awaitility.await(what)
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(condition);
    }

    /**
     * A property of the first element matching the selector, as text; null when nothing matches.
     */
    private static String text(Chromium browser, String selector, String property) {
        return browser.evaluate(
                        "(() => { const e = document.querySelector("
                                + quote(selector)
                                + "); "
                                + "return e ? String(e."
                                + property
                                + ") : null; })()")
                .asText(null);
    }

    private static int count(Chromium browser, String selector) {
        return browser.evaluate("document.querySelectorAll(" + quote(selector) + ").length")
                .asInt();
    }

    private static String quote(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
