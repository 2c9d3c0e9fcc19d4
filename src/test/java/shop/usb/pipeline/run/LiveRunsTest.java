package shop.usb.pipeline.run;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import shop.usb.pipeline.job.JobCancelledException;
import shop.usb.pipeline.job.JobRun;

/**
 * A cancel asked for on this instance belongs to the run it stopped, not to the job: when the job
 * is retried and this instance claims the new run, nothing is left behind to cancel it again.
 */
class LiveRunsTest {

    @Test
    void aCancelStopsItsRunAndNotTheJobsNextRun() {
        LiveRuns runs = new LiveRuns(null, null, Duration.ofMinutes(5));
        JobRun cancelled = JobRun.of("job-1");
        runs.claiming(cancelled);
        runs.claimed(cancelled);

        runs.requestCancel("job-1");

        assertThatThrownBy(() -> runs.checkpoint(cancelled))
                .isInstanceOf(JobCancelledException.class);
        runs.end(cancelled);
        JobRun retried = JobRun.of("job-1");
        runs.claiming(retried);
        runs.claimed(retried);
        assertThatCode(() -> runs.checkpoint(retried))
                .as("the retried run")
                .doesNotThrowAnyException();
    }
}
