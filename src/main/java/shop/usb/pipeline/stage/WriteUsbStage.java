package shop.usb.pipeline.stage;

import org.apache.camel.ExchangeProperty;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.job.JobLogLevel;
import shop.usb.pipeline.job.JobTimeline;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.metrics.PipelineMetrics;
import shop.usb.pipeline.run.ProgressReporter;
import shop.usb.pipeline.run.Run;
import shop.usb.pipeline.station.Demand;
import shop.usb.pipeline.station.SlotAllocator.TakenSlot;
import shop.usb.pipeline.station.StickRules;
import shop.usb.pipeline.transfer.UsbWriter;

/**
 * stage-write-usb: take a slot that holds a stick with room (its lease is written first), write the
 * plan into the run's staging folder on it, then publish it under the order's name.
 */
public class WriteUsbStage {

    public static final String BEAN_NAME = "writeUsbStage";

    private final UsbWriter writer;
    private final PipelineMetrics metrics;

    public WriteUsbStage(UsbWriter writer, PipelineMetrics metrics) {
        this.writer = writer;
        this.metrics = metrics;
    }

    public void run(@ExchangeProperty(JobContext.PROPERTY) JobContext job) {
        Run run = job.run();
        long bytes = job.plan().totalBytes();
        run.enter(Stage.WRITE_USB, "Waiting for a USB mount with " + bytes + " bytes free");
        TakenSlot taken =
                run.takeSlot(
                        bytes,
                        new Demand(
                                job.order().orderId(),
                                job.order().usbLabel(),
                                job.order().capacityBytes(),
                                StickRules.refusedFilesystems(
                                        job.order().orderId(), job.plan().files())));
        SlotFilesystem stick = taken.filesystem();
        run.log(
                JobLogLevel.INFO,
                JobTimeline.WRITING
                        + job.plan().files().size()
                        + " files ("
                        + bytes
                        + " bytes) to "
                        + stick.slot()
                        + ", "
                        + stick.describe());
        ProgressReporter progress = run.progress(bytes);
        long started = System.nanoTime();
        job.planned(writer.write(job.plan(), stick, taken.lease(), progress));
        long writeNanos = System.nanoTime() - started;
        progress.finish();
        job.written(run.publish(stick));
        metrics.bytesWritten(taken.slot().name(), bytes, writeNanos);
    }
}
