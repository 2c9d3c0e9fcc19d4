package shop.usb.pipeline.platform;

import javax.sql.DataSource;
import org.apache.camel.spi.Registry;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobReads;
import shop.usb.pipeline.metrics.PipelineMetrics;
import shop.usb.pipeline.ops.AuditTrail;
import shop.usb.pipeline.ops.BulkActions;
import shop.usb.pipeline.ops.BulkOperationRunner;
import shop.usb.pipeline.ops.BulkOperations;
import shop.usb.pipeline.run.LiveRuns;

/**
 * The beans of the bulk operations: the API that starts them and the runner that changes their jobs
 * (routes/api.camel.yaml, routes/bulk-operations.camel.yaml).
 */
final class BulkOperationBeans {

    private BulkOperationBeans() {}

    static void bind(
            Registry registry,
            PipelineSettings.Api settings,
            DataSource dataSource,
            JobLifecycle jobs,
            JobReads reads,
            LiveRuns liveRuns,
            AuditTrail audit,
            PipelineMetrics metrics) {
        BulkOperations operations = new BulkOperations(dataSource);
        registry.bind(BulkActions.BEAN_NAME, new BulkActions(reads, operations, audit));
        registry.bind(
                BulkOperationRunner.BEAN_NAME,
                new BulkOperationRunner(
                        dataSource,
                        operations,
                        jobs,
                        reads,
                        liveRuns,
                        audit,
                        metrics,
                        settings.bulkBatchSize(),
                        settings.bulkResumeAfter()));
    }
}
