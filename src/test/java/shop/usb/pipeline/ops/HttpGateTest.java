package shop.usb.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static shop.usb.pipeline.support.Orders.order;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.support.PipelineRuntime;

/**
 * Who may do what on the API: changes need the bearer token when one is set, otherwise loopback and
 * the intent header; reads need the token where pipeline.api.token-for-reads says so.
 */
class HttpGateTest {

    @Test
    void withATokenMutatingRequestsNeedIt(@TempDir Path root) throws Exception {
        try (PipelineRuntime pipeline =
                PipelineRuntime.startOnH2(root, Map.of("pipeline.api.token", "s3cret-token"))) {
            String order = order("GUARD-1").file("music/jazz/01-so-what.mp3").json();

            var missing = pipeline.http("POST", "/api/orders", order, Map.of());
            assertThat(missing.statusCode()).as(missing.body()).isEqualTo(401);
            assertThat(missing.headers().firstValue("WWW-Authenticate")).contains("Bearer");
            assertThat(
                            pipeline.http(
                                            "POST",
                                            "/api/orders",
                                            order,
                                            Map.of("Authorization", "Bearer wrong"))
                                    .statusCode())
                    .isEqualTo(401);
            assertThat(pipeline.http("POST", "/api/jobs/x/retry", null).statusCode())
                    .as("the intent header is no token")
                    .isEqualTo(401);
            assertThat(pipeline.jobsOf("GUARD-1")).isEmpty();

            var allowed =
                    pipeline.http(
                            "POST",
                            "/api/orders",
                            order,
                            Map.of("Authorization", "Bearer s3cret-token"));
            assertThat(allowed.statusCode()).isEqualTo(202);
            pipeline.awaitJob("GUARD-1", JobStatus.COMPLETED);
            assertThat(pipeline.http("GET", "/api/queue", null).statusCode())
                    .as("reads need no token")
                    .isEqualTo(200);
        }
    }

    @Test
    void withoutATokenOnlyLoopbackMayChangeJobs(@TempDir Path root) throws Exception {
        Optional<InetAddress> lan = siteAddress();
        assumeTrue(lan.isPresent(), "this machine has no non-loopback IPv4 address to call from");
        try (PipelineRuntime pipeline =
                PipelineRuntime.startOnH2(
                        root,
                        Map.of(
                                "camel.server.host",
                                "0.0.0.0",
                                "pipeline.http.allowed-hosts",
                                "127.0.0.1," + lan.get().getHostAddress()))) {
            String order = order("GUARD-2").file("music/jazz/01-so-what.mp3").json();
            HttpResponse<String> remote =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            "http://"
                                                                    + lan.get().getHostAddress()
                                                                    + ":"
                                                                    + pipeline.httpPort()
                                                                    + "/api/orders"))
                                            .timeout(Duration.ofSeconds(10))
                                            .header("Content-Type", "application/json")
                                            .header(HttpGate.INTENT_HEADER, "test")
                                            .POST(HttpRequest.BodyPublishers.ofString(order))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());

            assertThat(remote.statusCode()).isEqualTo(403);
            assertThat(remote.body()).contains("FORBIDDEN").doesNotContain("Exception");
            assertThat(pipeline.http("POST", "/api/orders", order).statusCode()).isEqualTo(202);
        }
    }

    @Test
    void withoutATokenChangesNeedTheIntentHeaderAndReadsAreOpen(@TempDir Path root)
            throws Exception {
        try (PipelineRuntime pipeline = PipelineRuntime.startOnH2(root, Map.of())) {
            String order = order("GUARD-3").file("music/jazz/01-so-what.mp3").json();

            var bare = pipeline.http("POST", "/api/orders", order, Map.of());
            assertThat(bare.statusCode()).isEqualTo(403);
            assertThat(bare.body())
                    .contains("INTENT_HEADER_MISSING")
                    .contains(HttpGate.INTENT_HEADER);
            assertThat(pipeline.jobsOf("GUARD-3")).isEmpty();
            assertThat(pipeline.http("POST", "/api/orders", order).statusCode()).isEqualTo(202);
            assertThat(
                            pipeline.http("GET", "/api/jobs?orderId=GUARD-3", null, Map.of())
                                    .statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void withTokenForReadsEveryApiReadNeedsTheTokenButHealth(@TempDir Path root) throws Exception {
        try (PipelineRuntime pipeline =
                PipelineRuntime.startOnH2(
                        root,
                        Map.of(
                                "pipeline.api.token",
                                "s3cret-token",
                                "pipeline.api.token-for-reads",
                                "true"))) {
            for (String read :
                    new String[] {
                        "/api/jobs",
                        "/api/queue",
                        "/api/stats",
                        "/api/slots",
                        "/api/jobs/x/logs",
                        "/api/openapi.json"
                    }) {
                var refused = pipeline.http("GET", read, null, Map.of());
                assertThat(refused.statusCode()).as(read).isEqualTo(401);
                assertThat(refused.body())
                        .as(read)
                        .contains("UNAUTHORIZED")
                        .doesNotContain("jobs\"");
                assertThat(
                                pipeline.http(
                                                "GET",
                                                read,
                                                null,
                                                Map.of("Authorization", "Bearer s3cret-token"))
                                        .statusCode())
                        .as(read + " with the token")
                        .isIn(200, 404);
            }
            assertThat(pipeline.http("GET", "/api/health", null, Map.of()).statusCode())
                    .isIn(200, 503);
            assertThat(pipeline.http("GET", "/", null, Map.of()).statusCode())
                    .as("the dashboard page itself holds no data; it asks for the token")
                    .isEqualTo(200);
        }
    }

    private static Optional<InetAddress> siteAddress() throws Exception {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                        return Optional.of(address);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
