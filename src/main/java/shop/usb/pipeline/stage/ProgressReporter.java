package shop.usb.pipeline.stage;

import java.time.Clock;
import java.time.Duration;

import shop.usb.pipeline.job.Cancellations;
import shop.usb.pipeline.job.JobRepository;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.usb.WriteListener;

/**
 * Turns bytes written into the job's 50-80% progress, and keeps the heartbeat during verification.
 * It writes to the database at most once per interval, so many small files cost no SQL round trip
 * each; every write is also the job's heartbeat, and finds a cancel asked for on another instance.
 */
final class ProgressReporter implements WriteListener {

    private final JobRepository jobs;
    private final Cancellations cancellations;
    private final String jobId;
    private final long totalBytes;
    private final long intervalMillis;
    private final Clock clock;
    private long bytes;
    private int files;
    private long lastReport;

    ProgressReporter(JobRepository jobs, Cancellations cancellations, String jobId, long totalBytes, Duration interval,
            Clock clock) {
        this.jobs = jobs;
        this.cancellations = cancellations;
        this.jobId = jobId;
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

    /** Between two files is the checkpoint where a cancel asked for on this instance takes effect. */
    @Override
    public void fileWritten() {
        files++;
        cancellations.checkpoint(jobId);
        reportIfDue();
    }

    /** Writes the final figures regardless of the interval. */
    void finish() {
        report();
    }

    /** Keeps the heartbeat going during long work that moves no bytes (verification). */
    void heartbeat() {
        cancellations.checkpoint(jobId);
        if (due()) {
            jobs.heartbeat(jobId);
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
        int progress = Stage.WRITE_USB.progress() + (totalBytes == 0 ? span : (int) (span * bytes / totalBytes));
        jobs.recordProgress(jobId, progress, bytes, files);
        lastReport = clock.millis();
    }
}
