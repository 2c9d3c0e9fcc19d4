package shop.usb.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.support.PipelineRuntime;

/**
 * The dashboard's files: the page and its ES modules come from classpath web/, as JavaScript where
 * they are scripts, and nothing else on the classpath does, however the path is spelled.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiServerSetupTest {

    @AutoClose PipelineRuntime pipeline;

    @BeforeAll
    void startPipeline(@TempDir Path root) throws Exception {
        pipeline = PipelineRuntime.startOnH2(root, Map.of());
    }

    @Test
    void dashboardIsServedButNothingElseFromTheClasspath() throws Exception {
        var page = pipeline.http("GET", "/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains("data-testid=\"jobs-table\"")
                .contains("<script type=\"module\" src=\"js/main.js\">");
        for (String hidden :
                List.of(
                        "/config/application.properties",
                        "/application.properties",
                        "/jolokia-access.xml",
                        "/logback.xml",
                        "/../config/application.properties",
                        "/shop/usb/pipeline/PipelineApplication.class")) {
            assertThat(pipeline.http("GET", hidden, null).statusCode()).as(hidden).isEqualTo(404);
        }
    }

    @Test
    void modulesAreJavaScriptAndCheckedAgainOnEveryLoad() throws Exception {
        var module = pipeline.http("GET", "/js/main.js", null);

        assertThat(module.statusCode()).isEqualTo(200);
        // Under nosniff a browser runs a module only when it is typed as JavaScript.
        assertThat(module.headers().firstValue("Content-Type").orElse(""))
                .startsWith("text/javascript");
        assertThat(module.body()).contains("from './live.js'");
        assertThat(module.headers().firstValue("Cache-Control")).contains("no-cache");
        String lastModified = module.headers().firstValue("Last-Modified").orElseThrow();
        assertThat(
                        pipeline.http(
                                        "GET",
                                        "/js/main.js",
                                        null,
                                        Map.of("If-Modified-Since", lastModified))
                                .statusCode())
                .as("checked again, unchanged")
                .isEqualTo(304);
    }

    @Test
    void aPathOutOfTheModuleFolderIsRefusedHoweverItIsSpelled() throws Exception {
        // logback.xml lies at the classpath root, two levels above web/js/.
        for (String traversal :
                List.of(
                        "/js/../../logback.xml",
                        "/js/%2e%2e/%2e%2e/logback.xml",
                        "/js/%2E%2E/%2E%2E/logback.xml",
                        "/js/.%2e/.%2e/logback.xml",
                        "/js/..%2f..%2flogback.xml",
                        "/js/..%5c..%5clogback.xml",
                        "/js/%252e%252e/%252e%252e/logback.xml",
                        "/js/..;/..;/logback.xml")) {
            var answer = pipeline.http("GET", traversal, null);
            assertThat(answer.statusCode()).as(traversal).isIn(400, 404);
            assertThat(answer.body()).as(traversal).doesNotContain("<configuration>");
        }
    }
}
