package shop.usb.pipeline.run;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.job.JobCancelledException;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.job.RunRecord;
import shop.usb.pipeline.job.RunSupersededException;

/**
 * The runs alive in this process. Their heartbeats are written on a schedule of their own, every
 * {@code pipeline.stalled.after / 5}, whatever a run is blocked in (an fsync of a large file on a
 * slow stick, hashing one large file), so a live run is never taken for stalled; a process that
 * dies stops beating and the sweep recovers its jobs. A run whose heartbeat finds it no longer owns
 * its job is marked superseded, and a cancel asked for on this instance is marked too: both take
 * effect at the run's next checkpoint, at no database cost.
 */
public class LiveRuns extends ServiceSupport {

    public static final String BEAN_NAME = "liveRuns";
    private static final Logger LOG = LoggerFactory.getLogger(LiveRuns.class);

    private final Map<JobRun, Signals> runs = new ConcurrentHashMap<>();
    private final RunRecord jobs;
    private final CamelContext context;
    private final Duration interval;
    private ScheduledExecutorService heartbeats;

    public LiveRuns(RunRecord jobs, CamelContext context, Duration stalledAfter) {
        this.jobs = jobs;
        this.context = context;
        this.interval = heartbeatInterval(stalledAfter);
    }

    /**
     * A fifth of the stalled threshold: a run misses four beats in a row before anyone may take it
     * for dead.
     */
    public static Duration heartbeatInterval(Duration stalledAfter) {
        return stalledAfter.dividedBy(5);
    }

    /** Before the run's claim commits: from then on nobody in this process takes it for dead. */
    public void claiming(JobRun run) {
        runs.put(run, new Signals());
    }

    /** The claim committed: the run beats from now on. */
    public void claimed(JobRun run) {
        Signals signals = runs.get(run);
        if (signals != null) {
            signals.claimed = true;
        }
    }

    public void end(JobRun run) {
        runs.remove(run);
    }

    /** Whether the run is being done in this process (so nobody here may take it for dead). */
    public boolean isAlive(JobRun run) {
        return runs.containsKey(run);
    }

    /** An operator asked the job to stop; its run here, if any, stops at its next checkpoint. */
    public void requestCancel(String jobId) {
        runs.forEach(
                (run, signals) -> {
                    if (run.jobId().equals(jobId)) {
                        signals.cancelRequested = true;
                    }
                });
    }

    /** Where a run stops when it lost its job or was asked to stop. */
    public void checkpoint(JobRun run) {
        Signals signals = runs.get(run);
        if (signals == null) {
            return;
        }
        if (signals.superseded) {
            throw new RunSupersededException(run, "owned by another run, as its heartbeat found");
        }
        if (signals.cancelRequested) {
            throw new JobCancelledException(run.jobId());
        }
    }

    /** One batch of heartbeats for every live run. */
    void beat() {
        try {
            List<JobRun> lost =
                    jobs.heartbeat(
                            runs.entrySet().stream()
                                    .filter(run -> run.getValue().claimed)
                                    .map(Map.Entry::getKey)
                                    .toList());
            for (JobRun run : lost) {
                Signals signals = runs.get(run);
                if (signals != null && !signals.superseded) {
                    LOG.warn("The {} no longer owns its job; it stops at its next checkpoint", run);
                    signals.superseded = true;
                }
            }
        } catch (RuntimeException e) {
            // The database is unreachable: the runs' own writes will fail too. Beat again next
            // time.
            LOG.warn("Heartbeats of {} runs could not be written: {}", runs.size(), e.toString());
        }
    }

    @Override
    protected void doStart() {
        heartbeats =
                context.getExecutorServiceManager()
                        .newSingleThreadScheduledExecutor(this, "run-heartbeats");
        heartbeats.scheduleWithFixedDelay(
                this::beat, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        if (heartbeats != null) {
            context.getExecutorServiceManager().shutdownNow(heartbeats);
        }
    }

    private static final class Signals {
        volatile boolean claimed;
        volatile boolean cancelRequested;
        volatile boolean superseded;
    }
}
