package shop.usb.pipeline.stage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.ExchangeProperty;
import shop.usb.pipeline.content.LibraryFile;
import shop.usb.pipeline.content.Sha256;
import shop.usb.pipeline.content.WritePlan;
import shop.usb.pipeline.content.WritePlan.PlannedFile;
import shop.usb.pipeline.job.ErrorCode;
import shop.usb.pipeline.job.JobFailure;
import shop.usb.pipeline.job.JobRepository;
import shop.usb.pipeline.job.Stage;

/** stage-select-content: the validated files become a write plan with each source's SHA-256. */
public class SelectContentStage {

    public static final String BEAN_NAME = "selectContentStage";

    private final JobRepository jobs;

    public SelectContentStage(JobRepository jobs) {
        this.jobs = jobs;
    }

    public void run(@ExchangeProperty(JobContext.PROPERTY) JobContext job) {
        job.enter(Stage.SELECT_CONTENT);
        jobs.enterStage(job.id(), Stage.SELECT_CONTENT, "Selecting " + job.files().size() + " files");
        List<PlannedFile> planned = new ArrayList<>(job.files().size());
        for (LibraryFile file : job.files()) {
            try {
                planned.add(new PlannedFile(file.relativePath(), file.source(), file.size(), Sha256.of(file.source())));
            } catch (IOException e) {
                throw new JobFailure(ErrorCode.IO_ERROR, "Cannot read library file " + file.relativePath() + ": " + e, e);
            }
        }
        WritePlan plan = new WritePlan(planned);
        jobs.recordPlan(job.id(), plan.totalBytes(), planned.size());
        job.planned(plan);
    }
}
