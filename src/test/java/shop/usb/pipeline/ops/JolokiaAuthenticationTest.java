package shop.usb.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.support.PipelineRuntime;

/**
 * As the prod profile and compose configure it: Jolokia needs credentials, health and metrics do
 * not.
 */
class JolokiaAuthenticationTest {

    static final Map<String, String> HAWTIO = Map.of("Origin", "http://127.0.0.1:8090");

    @Test
    void jolokiaNeedsTheConfiguredCredentials(@TempDir Path root) throws Exception {
        Path users = root.resolve("jolokia-users.properties");
        Files.writeString(users, "user.operator=s3cret,admin\n");
        try (PipelineRuntime pipeline =
                PipelineRuntime.startOnH2(
                        root,
                        Map.of(
                                "camel.management.authentication-enabled", "true",
                                "camel.management.authentication-path", "/observe/jolokia/*",
                                "camel.management.basic-properties-file", users.toString()))) {
            String version = "{\"type\":\"version\"}";

            var anonymous = pipeline.management("POST", "/observe/jolokia", version, HAWTIO);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.body()).doesNotContain("agent");
            assertThat(
                            pipeline.management(
                                            "POST",
                                            "/observe/jolokia",
                                            version,
                                            with(HAWTIO, "operator:wrong"))
                                    .statusCode())
                    .isEqualTo(401);

            var operator =
                    pipeline.management(
                            "POST", "/observe/jolokia", version, with(HAWTIO, "operator:s3cret"));
            assertThat(operator.statusCode()).isEqualTo(200);
            assertThat(operator.body()).contains("\"agent\"");
            assertThat(
                            pipeline.management("GET", "/observe/health/ready", null, Map.of())
                                    .statusCode())
                    .as("probes need no credentials")
                    .isEqualTo(200);
            assertThat(pipeline.management("GET", "/observe/metrics", null, Map.of()).statusCode())
                    .isEqualTo(200);
        }
    }

    private static Map<String, String> with(Map<String, String> headers, String credentials) {
        return Map.of(
                "Origin",
                headers.get("Origin"),
                "Authorization",
                "Basic "
                        + Base64.getEncoder()
                                .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }
}
