package shop.usb.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.order;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;

/**
 * GET /api/events on two instances sharing one PostgreSQL database: a listener on one hears of a
 * job the other runs, because the events come from the database. How soon is printed, not bounded
 * (a test bounds behaviour, not a machine's speed; it polls every
 * pipeline.live-events.poll-interval).
 */
class LiveEventsTest {

    @Test
    void aListenerHearsOfChangesMadeByAnotherInstance(@TempDir Path root) throws Exception {
        TestDatabase database = TestDatabase.postgres();
        try (PipelineRuntime worker =
                        PipelineRuntime.start(
                                root.resolve("a"),
                                database,
                                Map.of("pipeline.instance.id", "instance-a"));
                PipelineRuntime listened =
                        PipelineRuntime.start(
                                root.resolve("b"),
                                database,
                                Map.of("pipeline.instance.id", "instance-b"))) {
            List<Heard> lines = new CopyOnWriteArrayList<>();
            CompletableFuture<HttpResponse<Void>> stream =
                    HttpClient.newHttpClient()
                            .sendAsync(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            "http://127.0.0.1:"
                                                                    + listened.httpPort()
                                                                    + LiveEvents.PATH))
                                            .build(),
                                    HttpResponse.BodyHandlers.fromLineSubscriber(
                                            new Flow.Subscriber<String>() {
                                                @Override
                                                public void onSubscribe(
                                                        Flow.Subscription subscription) {
                                                    subscription.request(Long.MAX_VALUE);
                                                }

                                                @Override
                                                public void onNext(String line) {
                                                    lines.add(new Heard(line));
                                                }

                                                @Override
                                                public void onError(Throwable error) {
                                                    lines.add(new Heard("error: " + error));
                                                }

                                                @Override
                                                public void onComplete() {
                                                    lines.add(new Heard("closed"));
                                                }
                                            }));
            try {
                Awaitility.await("the stream open")
                        .atMost(Duration.ofSeconds(10))
                        .until(
                                () ->
                                        lines.stream()
                                                .anyMatch(
                                                        heard ->
                                                                heard.line()
                                                                        .equals(": listening")));

                worker.sendText(
                        "orders.confirmed",
                        order("LIVE-1").file("music/jazz/01-so-what.mp3").json());
                var completed = worker.awaitJob("LIVE-1", JobStatus.COMPLETED);

                Awaitility.await("the other instance's listener to hear the job complete")
                        .atMost(Duration.ofSeconds(30))
                        .until(
                                () ->
                                        lines.stream()
                                                .anyMatch(
                                                        heard ->
                                                                heard.line().startsWith("data: ")
                                                                        && isLive1Completed(
                                                                                heard)));
                List<Heard> snapshot = List.copyOf(lines);
                int index = indexOfCompleted(snapshot);
                Duration lag =
                        Duration.between(
                                Instant.parse(completed.updatedAt()), snapshot.get(index).at());
                System.out.println(
                        "LiveEventsTest: the COMPLETED event came "
                                + lag.toMillis()
                                + " ms after the change");
                assertThat(snapshot.get(index - 1).line()).isEqualTo("event: job");
            } finally {
                stream.cancel(true);
            }
        }
    }

    /** A line of the stream with the moment it arrived, kept together. */
    private record Heard(String line, Instant at) {
        Heard(String line) {
            this(line, Instant.now());
        }
    }

    private static boolean isLive1Completed(Heard heard) {
        return heard.line().contains("\"orderId\":\"LIVE-1\"")
                && heard.line().contains("\"status\":\"COMPLETED\"");
    }

    private static int indexOfCompleted(List<Heard> lines) {
        for (int i = 0; i < lines.size(); i++) {
            if (isLive1Completed(lines.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no COMPLETED event in " + lines);
    }
}
