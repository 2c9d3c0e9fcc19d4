package shop.usb.pipeline.stage;

import java.time.Clock;
import java.time.Duration;
import org.apache.camel.ExchangeProperty;
import shop.usb.pipeline.device.StickLabeler;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobLogLevel;
import shop.usb.pipeline.job.LiveRuns;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.transfer.UsbVerifier;

/**
 * stage-verify: read every written file back from the stick and compare it with the plan; then,
 * with pipeline.usb.set-label, give the stick the order's label.
 */
public class VerifyStage {

    public static final String BEAN_NAME = "verifyStage";

    private final JobLifecycle jobs;
    private final UsbVerifier verifier;
    private final StickLabeler labeler;
    private final LiveRuns liveRuns;
    private final Duration progressInterval;
    private final Clock clock;

    public VerifyStage(
            JobLifecycle jobs,
            UsbVerifier verifier,
            StickLabeler labeler,
            LiveRuns liveRuns,
            Duration progressInterval,
            Clock clock) {
        this.labeler = labeler;
        this.liveRuns = liveRuns;
        this.jobs = jobs;
        this.verifier = verifier;
        this.progressInterval = progressInterval;
        this.clock = clock;
    }

    public void run(@ExchangeProperty(JobContext.PROPERTY) JobContext job) {
        job.enter(Stage.VERIFY);
        jobs.enterStage(
                job.run(),
                Stage.VERIFY,
                "Verifying " + job.plan().files().size() + " files in " + job.folder());
        ProgressReporter checkpoints =
                new ProgressReporter(jobs, liveRuns, job.run(), 0, progressInterval, clock);
        job.verified(
                verifier.verify(job.plan(), job.folder(), job.stick(), checkpoints::checkpoint));
        if (labeler.enabled()) {
            StickLabeler.Labelled labelled = labeler.label(job.stick(), job.order().usbLabel());
            job.labelled(labelled.label());
            jobs.log(
                    job.run(),
                    labelled.label() == null ? JobLogLevel.WARN : JobLogLevel.INFO,
                    Stage.VERIFY,
                    labelled.label() == null
                            ? "Volume label not set: " + labelled.notSetBecause()
                            : "Volume label set to '" + labelled.label() + "'");
        }
    }
}
