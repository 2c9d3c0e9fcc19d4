package shop.usb.pipeline.stage;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.ExchangeProperty;
import shop.usb.pipeline.content.ContentDigests;
import shop.usb.pipeline.content.LibraryFile;
import shop.usb.pipeline.content.WritePlan;
import shop.usb.pipeline.content.WritePlan.PlannedFile;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.LiveRuns;
import shop.usb.pipeline.job.Stage;

/**
 * stage-select-content: the validated files become a write plan. A source whose current version was
 * hashed before brings its SHA-256 from {@link ContentDigests}; the others are hashed while copied.
 */
public class SelectContentStage {

    public static final String BEAN_NAME = "selectContentStage";

    private final JobLifecycle jobs;
    private final ContentDigests digests;
    private final LiveRuns liveRuns;
    private final Duration progressInterval;
    private final Clock clock;

    public SelectContentStage(
            JobLifecycle jobs,
            ContentDigests digests,
            LiveRuns liveRuns,
            Duration progressInterval,
            Clock clock) {
        this.jobs = jobs;
        this.digests = digests;
        this.liveRuns = liveRuns;
        this.progressInterval = progressInterval;
        this.clock = clock;
    }

    public void run(@ExchangeProperty(JobContext.PROPERTY) JobContext job) {
        job.enter(Stage.SELECT_CONTENT);
        jobs.enterStage(
                job.run(), Stage.SELECT_CONTENT, "Selecting " + job.files().size() + " files");
        List<PlannedFile> planned = new ArrayList<>(job.files().size());
        ProgressReporter checkpoints =
                new ProgressReporter(jobs, liveRuns, job.run(), 0, progressInterval, clock);
        for (LibraryFile file : job.files()) {
            checkpoints.checkpoint();
            try {
                planned.add(
                        new PlannedFile(
                                file.relativePath(),
                                file.source(),
                                file.size(),
                                digests.known(file.source())));
            } catch (IOException e) {
                throw new JobFailure(
                        ErrorCode.IO_ERROR,
                        "Cannot read library file " + file.relativePath() + ": " + e,
                        e);
            }
        }
        WritePlan plan = new WritePlan(planned);
        jobs.recordPlan(job.run(), plan.totalBytes(), planned.size());
        job.planned(plan);
    }
}
