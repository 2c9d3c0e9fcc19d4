package shop.usb.pipeline.run;

import java.time.Clock;
import java.time.Duration;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.job.RunRecord;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.transfer.WriteListener;

/**
 * Turns bytes written into the job's 50-80% progress, and marks checkpoints of long work. It writes
 * to the database at most once per interval, so many small files cost no SQL round trip each; every
 * such write is guarded by the run's token and finds a cancel asked for on another instance.
 * Liveness does not depend on it: {@link LiveRuns} beats for the run on its own schedule.
 */
public final class ProgressReporter implements WriteListener {

    private final RunRecord jobs;
    private final LiveRuns liveRuns;
    private final JobRun run;
    private final long totalBytes;
    private final long intervalMillis;
    private final Clock clock;
    private long bytes;
    private int files;
    private long lastReport;

    ProgressReporter(
            RunRecord jobs,
            LiveRuns liveRuns,
            JobRun run,
            long totalBytes,
            Duration interval,
            Clock clock) {
        this.jobs = jobs;
        this.liveRuns = liveRuns;
        this.run = run;
        this.totalBytes = totalBytes;
        this.intervalMillis = interval.toMillis();
        this.clock = clock;
        this.lastReport = clock.millis();
    }

    @Override
    public void bytesCopied(long copied) {
        bytes += copied;
        reportIfDue();
    }

    /** Between two files is the checkpoint where a cancel or a lost run known here takes effect. */
    @Override
    public void fileWritten() {
        files++;
        liveRuns.checkpoint(run);
        reportIfDue();
    }

    /** Writes the final figures regardless of the interval. */
    public void finish() {
        report();
    }

    /** A checkpoint of long work that moves no bytes (hashing, verification). */
    public void checkpoint() {
        liveRuns.checkpoint(run);
        if (due()) {
            jobs.confirmOwnership(run);
            lastReport = clock.millis();
        }
    }

    private void reportIfDue() {
        if (due()) {
            report();
        }
    }

    private boolean due() {
        return clock.millis() - lastReport >= intervalMillis;
    }

    private void report() {
        int span = Stage.WRITE_END - Stage.WRITE_USB.progress();
        int progress =
                Stage.WRITE_USB.progress()
                        + (totalBytes == 0 ? span : (int) (span * bytes / totalBytes));
        jobs.recordProgress(run, progress, bytes, files);
        lastReport = clock.millis();
    }
}
