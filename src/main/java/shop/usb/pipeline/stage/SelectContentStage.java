package shop.usb.pipeline.stage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.ExchangeProperty;
import shop.usb.pipeline.content.ContentDigests;
import shop.usb.pipeline.content.LibraryFile;
import shop.usb.pipeline.content.WritePlan;
import shop.usb.pipeline.content.WritePlan.PlannedFile;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.run.ProgressReporter;
import shop.usb.pipeline.run.Run;

/**
 * stage-select-content: the validated files become a write plan. A source whose current version was
 * hashed before brings its SHA-256 from {@link ContentDigests}; the others are hashed while copied.
 */
public class SelectContentStage {

    public static final String BEAN_NAME = "selectContentStage";

    private final ContentDigests digests;

    public SelectContentStage(ContentDigests digests) {
        this.digests = digests;
    }

    public void run(@ExchangeProperty(JobContext.PROPERTY) JobContext job) {
        Run run = job.run();
        run.enter(Stage.SELECT_CONTENT, "Selecting " + job.files().size() + " files");
        List<PlannedFile> planned = new ArrayList<>(job.files().size());
        ProgressReporter checkpoints = run.progress(0);
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
        run.recordPlan(plan.totalBytes(), planned.size());
        job.planned(plan);
    }
}
