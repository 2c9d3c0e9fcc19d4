package shop.usb.pipeline.stage;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import org.apache.camel.ExchangeProperty;
import shop.usb.pipeline.job.Cancellations;
import shop.usb.pipeline.job.JobRepository;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.ops.metrics.PipelineMetrics;
import shop.usb.pipeline.usb.UsbMountAllocator;
import shop.usb.pipeline.usb.UsbWriter;

/** stage-write-usb: lease a free mount with room, copy the plan onto it, finish with the manifest. */
public class WriteUsbStage {

    public static final String BEAN_NAME = "writeUsbStage";

    private final JobRepository jobs;
    private final UsbMountAllocator mounts;
    private final UsbWriter writer;
    private final Cancellations cancellations;
    private final Duration progressInterval;
    private final PipelineMetrics metrics;
    private final Clock clock;

    public WriteUsbStage(JobRepository jobs, UsbMountAllocator mounts, UsbWriter writer, Cancellations cancellations,
            Duration progressInterval, PipelineMetrics metrics, Clock clock) {
        this.metrics = metrics;
        this.cancellations = cancellations;
        this.jobs = jobs;
        this.mounts = mounts;
        this.writer = writer;
        this.progressInterval = progressInterval;
        this.clock = clock;
    }

    public void run(@ExchangeProperty(JobContext.PROPERTY) JobContext job) {
        job.enter(Stage.WRITE_USB);
        long bytes = job.plan().totalBytes();
        jobs.enterStage(job.id(), Stage.WRITE_USB, "Waiting for a USB mount with " + bytes + " bytes free");
        Path mount = mounts.acquire(job.id(), bytes);
        job.leased(mount);
        removeEarlierAttempt(job, mount);
        jobs.recordMount(job.id(), mount.toString());
        jobs.log(job.id(), "INFO", Stage.WRITE_USB,
                "Writing " + job.plan().files().size() + " files (" + bytes + " bytes) to " + mount);
        ProgressReporter progress = new ProgressReporter(jobs, cancellations, job.id(), bytes, progressInterval,
                clock);
        job.written(writer.write(job.plan(), mount, job.order().orderId(), progress));
        progress.finish();
        metrics.bytesWritten(bytes);
    }

    /** An earlier attempt on another mount left a partial folder there; the order lives on one mount only. */
    private void removeEarlierAttempt(JobContext job, Path mount) {
        String previous = job.job().previousMount();
        if (previous == null || Path.of(previous).equals(mount)) {
            return;
        }
        try {
            UsbWriter.deleteRecursively(UsbWriter.orderFolder(Path.of(previous), job.job().orderId()));
        } catch (IOException e) {
            jobs.log(job.id(), "WARN", Stage.WRITE_USB, "Could not remove the earlier partial folder on " + previous
                    + ": " + e.getMessage());
        }
    }
}
