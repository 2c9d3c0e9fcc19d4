package shop.usb.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.ORDERS;
import static shop.usb.pipeline.support.Orders.newOrderId;
import static shop.usb.pipeline.support.Orders.order;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.JobView;
import shop.usb.pipeline.support.PipelineRuntime;
import shop.usb.pipeline.support.TestDatabase;

/**
 * Jobs ready to run are run by priority: high before normal before low, whatever order they came
 * in.
 */
class JobPriorityTest {

    @Test
    void backlogRunsHighBeforeNormalBeforeLow(@TempDir Path root) throws Exception {
        try (PipelineRuntime pipeline =
                PipelineRuntime.start(
                        root,
                        TestDatabase.h2(root.resolve("db")),
                        Map.of("pipeline.workers", "1"))) {
            pipeline.context().getRouteController().stopRoute("job-dispatch");
            Map<String, String> orders = new LinkedHashMap<>();
            for (String priority : List.of("low", "normal", "low", "high", "normal", "high")) {
                String orderId = newOrderId();
                orders.put(orderId, priority);
                pipeline.sendText(
                        ORDERS,
                        order(orderId)
                                .set("priority", priority)
                                .file("music/jazz/01-so-what.mp3")
                                .json());
                pipeline.awaitJob(orderId, JobStatus.QUEUED);
            }

            pipeline.context().getRouteController().startRoute("job-dispatch");

            List<String> started =
                    orders.keySet().stream()
                            .map(orderId -> pipeline.awaitJob(orderId, JobStatus.COMPLETED))
                            .sorted(Comparator.comparing(job -> Instant.parse(job.startedAt())))
                            .map(JobView::orderId)
                            .map(orders::get)
                            .toList();
            assertThat(started).containsExactly("high", "high", "normal", "normal", "low", "low");
        }
    }
}
