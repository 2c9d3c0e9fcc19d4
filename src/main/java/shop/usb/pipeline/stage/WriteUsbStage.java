package shop.usb.pipeline.stage;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.camel.ExchangeProperty;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobLogLevel;
import shop.usb.pipeline.job.JobTimeline;
import shop.usb.pipeline.job.LiveRuns;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.metrics.PipelineMetrics;
import shop.usb.pipeline.station.StickRules;
import shop.usb.pipeline.station.UsbMountAllocator;
import shop.usb.pipeline.station.UsbMountAllocator.Demand;
import shop.usb.pipeline.station.UsbMountAllocator.TakenSlot;
import shop.usb.pipeline.transfer.UsbWriter;

/**
 * stage-write-usb: lease a slot that holds a stick with room, write the plan into the run's staging
 * folder on it, then, if the run still owns the job, replace what earlier attempts left and name
 * the folder after the order.
 */
public class WriteUsbStage {

    public static final String BEAN_NAME = "writeUsbStage";

    private final JobLifecycle jobs;
    private final UsbMountAllocator mounts;
    private final UsbWriter writer;
    private final LiveRuns liveRuns;
    private final Duration progressInterval;
    private final PipelineMetrics metrics;
    private final Clock clock;

    public WriteUsbStage(
            JobLifecycle jobs,
            UsbMountAllocator mounts,
            UsbWriter writer,
            LiveRuns liveRuns,
            Duration progressInterval,
            PipelineMetrics metrics,
            Clock clock) {
        this.metrics = metrics;
        this.liveRuns = liveRuns;
        this.jobs = jobs;
        this.mounts = mounts;
        this.writer = writer;
        this.progressInterval = progressInterval;
        this.clock = clock;
    }

    public void run(@ExchangeProperty(JobContext.PROPERTY) JobContext job) {
        job.enter(Stage.WRITE_USB);
        long bytes = job.plan().totalBytes();
        jobs.enterStage(
                job.run(),
                Stage.WRITE_USB,
                "Waiting for a USB mount with " + bytes + " bytes free");
        TakenSlot taken =
                mounts.acquire(
                        job.run(),
                        bytes,
                        new Demand(
                                job.order().orderId(),
                                job.order().usbLabel(),
                                job.order().capacityBytes(),
                                StickRules.refusedFilesystems(
                                        job.order().orderId(), job.plan().files())));
        job.took(taken);
        SlotFilesystem stick = taken.filesystem();
        jobs.recordMount(job.run(), stick.slot().toString());
        jobs.log(
                job.run(),
                JobLogLevel.INFO,
                Stage.WRITE_USB,
                JobTimeline.WRITING
                        + job.plan().files().size()
                        + " files ("
                        + bytes
                        + " bytes) to "
                        + stick.slot()
                        + ", "
                        + stick.describe());
        ProgressReporter progress =
                new ProgressReporter(jobs, liveRuns, job.run(), bytes, progressInterval, clock);
        String orderId = job.order().orderId();
        long started = System.nanoTime();
        job.planned(writer.write(job.plan(), stick, orderId, job.run().token(), progress));
        Path staging = UsbWriter.stagingFolder(stick.slot(), orderId, job.run().token());
        long writeNanos = System.nanoTime() - started;
        // The final progress write is guarded by the run's token and a pending cancel: once it went
        // through, the run owns the job and may change what other runs of the order left.
        progress.finish();
        removeEarlierAttempts(job, stick);
        job.written(writer.publish(staging, stick, orderId));
        metrics.bytesWritten(taken.slot().name(), bytes, writeNanos);
    }

    /**
     * Earlier attempts left folders on this slot, on the mount they last wrote to, or on mounts
     * their dead runs leased; the order lives on one only. A first attempt (no mount recorded yet)
     * has none elsewhere and costs no query.
     */
    private void removeEarlierAttempts(JobContext job, SlotFilesystem stick) {
        Set<Path> mounts = new LinkedHashSet<>(List.of(stick.slot()));
        if (job.job().previousMount() != null) {
            mounts.add(Path.of(job.job().previousMount()));
            mounts.addAll(this.mounts.takeBackEarlierLeases(job.run(), job.job().orderId()));
        }
        for (Path mount : mounts) {
            try {
                UsbWriter.removeOrderFolder(mount, job.job().orderId());
            } catch (IOException e) {
                jobs.log(
                        job.run(),
                        JobLogLevel.WARN,
                        Stage.WRITE_USB,
                        "Could not remove what an earlier attempt left on "
                                + mount
                                + ": "
                                + e.getMessage());
            }
        }
    }
}
