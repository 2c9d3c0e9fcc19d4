package shop.usb.pipeline.stage;

import java.time.Clock;
import java.time.Duration;

import org.apache.camel.ExchangeProperty;
import shop.usb.pipeline.job.Cancellations;
import shop.usb.pipeline.job.JobRepository;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.usb.UsbVerifier;

/** stage-verify: read every written file back and compare it with the plan. */
public class VerifyStage {

    public static final String BEAN_NAME = "verifyStage";

    private final JobRepository jobs;
    private final UsbVerifier verifier;
    private final Cancellations cancellations;
    private final Duration progressInterval;
    private final Clock clock;

    public VerifyStage(JobRepository jobs, UsbVerifier verifier, Cancellations cancellations, Duration progressInterval,
            Clock clock) {
        this.cancellations = cancellations;
        this.jobs = jobs;
        this.verifier = verifier;
        this.progressInterval = progressInterval;
        this.clock = clock;
    }

    public void run(@ExchangeProperty(JobContext.PROPERTY) JobContext job) {
        job.enter(Stage.VERIFY);
        jobs.enterStage(job.id(), Stage.VERIFY, "Verifying " + job.plan().files().size() + " files in " + job.folder());
        ProgressReporter heartbeat = new ProgressReporter(jobs, cancellations, job.id(), 0, progressInterval, clock);
        verifier.verify(job.plan(), job.folder(), heartbeat::heartbeat);
    }
}
