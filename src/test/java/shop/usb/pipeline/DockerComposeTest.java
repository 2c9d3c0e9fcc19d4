package shop.usb.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * No Docker engine runs here, so the compose setup is checked for what can be checked: it parses,
 * it has the services the README promises, and every file it builds from or mounts exists.
 */
class DockerComposeTest {

    static final Path DOCKER = Path.of("docker");

    @Test
    void theImageRunsTheProdProfileWithItsFilesOwnedByRootAndHawtiosDownloadsArePinned()
            throws Exception {
        List<String> image = Files.readAllLines(DOCKER.resolve("Dockerfile"));
        String runtime = String.join("\n", image.subList(lastFrom(image), image.size()));
        assertThat(runtime)
                .as("every interface, so the prod profile (token, Jolokia users) by default")
                .contains("CAMEL_MAIN_PROFILE=prod")
                .contains("CAMEL_SERVER_HOST=0.0.0.0");
        assertThat(runtime)
                .contains("chown pipeline /app/data")
                .doesNotContain("chown pipeline /app ");
        assertThat(runtime.indexOf("USER pipeline"))
                .as("the class archive is made as root, before the runtime user takes over")
                .isGreaterThan(runtime.indexOf("ArchiveClassesAtExit"));

        List<String> downloads =
                Files.readAllLines(DOCKER.resolve("hawtio/Dockerfile")).stream()
                        .filter(line -> line.startsWith("ADD "))
                        .toList();
        assertThat(downloads)
                .isNotEmpty()
                .allSatisfy(
                        line -> assertThat(line).matches("ADD --checksum=sha256:[0-9a-f]{64} .*"));
    }

    private static int lastFrom(List<String> dockerfile) {
        int last = 0;
        for (int i = 0; i < dockerfile.size(); i++) {
            if (dockerfile.get(i).startsWith("FROM ")) {
                last = i;
            }
        }
        return last;
    }

    @Test
    void composeFileParsesAndReferencesOnlyFilesThatExist() throws Exception {
        Map<String, Object> compose =
                map(
                        new Load(LoadSettings.builder().build())
                                .loadFromString(Files.readString(DOCKER.resolve("compose.yaml"))));
        Map<String, Object> services = map(compose.get("services"));
        assertThat(services)
                .containsKeys(
                        "artemis",
                        "postgres",
                        "pipeline-1",
                        "pipeline-2",
                        "hawtio",
                        "prometheus",
                        "grafana");

        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Object> service : services.entrySet()) {
            Map<String, Object> definition = merged(map(service.getValue()));
            if (definition.get("build") instanceof Map<?, ?> build) {
                Path context = DOCKER.resolve(String.valueOf(build.get("context"))).normalize();
                Path dockerfile =
                        context.resolve(String.valueOf(build.get("dockerfile"))).normalize();
                if (!Files.isDirectory(context) || !Files.isRegularFile(dockerfile)) {
                    missing.add(service.getKey() + ": build " + dockerfile);
                }
            }
            for (Object volume :
                    definition.get("volumes") instanceof List<?> list ? list : List.of()) {
                String source = String.valueOf(volume).split(":")[0];
                if (source.startsWith("./") && !Files.exists(DOCKER.resolve(source))) {
                    missing.add(service.getKey() + ": volume " + source);
                }
            }
        }
        assertThat(missing).isEmpty();

        Map<String, Object> pipeline = merged(map(services.get("pipeline-1")));
        Map<String, Object> environment = merged(map(pipeline.get("environment")));
        assertThat(environment)
                .containsEntry("CAMEL_MAIN_PROFILE", "prod")
                .containsKeys(
                        "PIPELINE_DB_PASSWORD", "PIPELINE_BROKER_PASSWORD", "PIPELINE_INSTANCE_ID");
        assertThat(String.valueOf(environment.get("PIPELINE_DB_PASSWORD")))
                .as("secrets come from the environment")
                .startsWith("${");
    }

    @Test
    void grafanaDashboardIsJsonAndUsesTheProductsMetrics() throws Exception {
        String dashboard =
                Files.readString(DOCKER.resolve("grafana/dashboards/usb-order-pipeline.json"));
        new ObjectMapper().readTree(dashboard);
        for (String metric :
                List.of(
                        "pipeline_jobs{",
                        "pipeline_jobs_active",
                        "pipeline_jobs_completed_total",
                        "pipeline_jobs_failed_total",
                        "pipeline_jobs_retried_total",
                        "pipeline_dead_letters_total",
                        "pipeline_bytes_written_total",
                        "pipeline_stage_duration_seconds_bucket",
                        "pipeline_usb_free_bytes",
                        "pipeline_queue_oldest_age_seconds",
                        "camel_exchanges_total")) {
            assertThat(dashboard).contains(metric);
        }
    }

    /**
     * Compose's YAML merge keys ({@code <<: *anchor}), which a YAML 1.2 parser leaves as a plain
     * key.
     */
    private static Map<String, Object> merged(Map<String, Object> node) {
        Map<String, Object> result = new LinkedHashMap<>();
        if (node.get("<<") instanceof Map<?, ?> base) {
            result.putAll(map(base));
        }
        node.forEach(
                (key, value) -> {
                    if (!"<<".equals(key)) {
                        result.put(key, value);
                    }
                });
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }
}
