package shop.usb.pipeline.stage;

import java.time.Clock;
import java.time.Duration;

import org.apache.camel.ExchangeProperty;
import shop.usb.pipeline.job.LiveRuns;
import shop.usb.pipeline.job.JobRepository;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.usb.UsbVerifier;

/** stage-verify: read every written file back from the stick and compare it with the plan. */
public class VerifyStage {

    public static final String BEAN_NAME = "verifyStage";

    private final JobRepository jobs;
    private final UsbVerifier verifier;
    private final LiveRuns liveRuns;
    private final Duration progressInterval;
    private final Clock clock;

    public VerifyStage(JobRepository jobs, UsbVerifier verifier, LiveRuns liveRuns, Duration progressInterval,
            Clock clock) {
        this.liveRuns = liveRuns;
        this.jobs = jobs;
        this.verifier = verifier;
        this.progressInterval = progressInterval;
        this.clock = clock;
    }

    public void run(@ExchangeProperty(JobContext.PROPERTY) JobContext job) {
        job.enter(Stage.VERIFY);
        jobs.enterStage(job.run(), Stage.VERIFY, "Verifying " + job.plan().files().size() + " files in " + job.folder());
        ProgressReporter checkpoints = new ProgressReporter(jobs, liveRuns, job.run(), 0, progressInterval, clock);
        job.verified(verifier.verify(job.plan(), job.folder(), job.stick(), checkpoints::checkpoint));
    }
}
