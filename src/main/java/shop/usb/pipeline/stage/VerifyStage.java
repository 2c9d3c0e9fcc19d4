package shop.usb.pipeline.stage;

import org.apache.camel.ExchangeProperty;
import shop.usb.pipeline.crash.CrashPoints;
import shop.usb.pipeline.crash.CrashPoints.Context;
import shop.usb.pipeline.crash.CrashPoints.Step;
import shop.usb.pipeline.device.StickLabeler;
import shop.usb.pipeline.job.JobLogLevel;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.run.Run;
import shop.usb.pipeline.transfer.UsbVerifier;

/**
 * stage-verify: read every written file back from the stick and compare it with the plan; then,
 * with pipeline.usb.set-label, give the stick the order's label.
 */
public class VerifyStage {

    public static final String BEAN_NAME = "verifyStage";

    private final UsbVerifier verifier;
    private final StickLabeler labeler;

    public VerifyStage(UsbVerifier verifier, StickLabeler labeler) {
        this.verifier = verifier;
        this.labeler = labeler;
    }

    public void run(@ExchangeProperty(JobContext.PROPERTY) JobContext job) {
        Run run = job.run();
        run.enter(
                Stage.VERIFY,
                "Verifying " + job.plan().files().size() + " files in " + job.folder());
        job.verified(
                verifier.verify(
                        job.plan(), job.folder(), job.stick(), run.progress(0)::checkpoint));
        CrashPoints.passed(Context.RUN, Step.VERIFIED, run.orderId());
        if (labeler.enabled()) {
            StickLabeler.Labelled labelled = labeler.label(job.stick(), job.order().usbLabel());
            job.labelled(labelled.label());
            run.log(
                    labelled.label() == null ? JobLogLevel.WARN : JobLogLevel.INFO,
                    labelled.label() == null
                            ? "Volume label not set: " + labelled.notSetBecause()
                            : "Volume label set to '" + labelled.label() + "'");
        }
    }
}
