package shop.usb.pipeline.run;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import shop.usb.pipeline.job.ClaimedJob;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobLogLevel;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.job.RunRecord;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.lease.LeaseEnds;
import shop.usb.pipeline.lease.Leases;
import shop.usb.pipeline.lease.Reclaimer;
import shop.usb.pipeline.metrics.PipelineMetrics;
import shop.usb.pipeline.station.SlotAllocator;
import shop.usb.pipeline.station.SlotStore;
import shop.usb.pipeline.transfer.UsbWriter;

/**
 * Claims jobs for this instance: a claim that goes through returns the {@link Run}, the one object
 * through which the run does everything it may do.
 */
public class Runs {

    public static final String BEAN_NAME = "runs";

    final JobLifecycle jobs;
    final RunRecord record;
    final LiveRuns liveRuns;
    final SlotAllocator allocator;
    final Leases leases;
    final Reclaimer reclaimer;
    final LeaseEnds leaseEnds;
    final SlotStore slots;
    final UsbWriter writer;
    final PipelineMetrics metrics;
    final Duration progressInterval;
    final Clock clock;
    private final String instanceId;

    public Runs(
            String instanceId,
            JobLifecycle jobs,
            RunRecord record,
            LiveRuns liveRuns,
            SlotAllocator allocator,
            Leases leases,
            Reclaimer reclaimer,
            LeaseEnds leaseEnds,
            SlotStore slots,
            UsbWriter writer,
            PipelineMetrics metrics,
            Duration progressInterval,
            Clock clock) {
        this.instanceId = instanceId;
        this.jobs = jobs;
        this.record = record;
        this.liveRuns = liveRuns;
        this.allocator = allocator;
        this.leases = leases;
        this.reclaimer = reclaimer;
        this.leaseEnds = leaseEnds;
        this.slots = slots;
        this.writer = writer;
        this.metrics = metrics;
        this.progressInterval = progressInterval;
        this.clock = clock;
    }

    /**
     * A new run of the job, if it is QUEUED or RETRYING and due; empty otherwise. The run is alive
     * in this process before its claim commits, so nobody here takes it for dead.
     */
    public Optional<Run> claim(String jobId) {
        JobRun run = JobRun.of(jobId);
        liveRuns.claiming(run);
        Optional<ClaimedJob> claimed;
        try {
            claimed = jobs.claim(run, instanceId);
        } catch (RuntimeException e) {
            liveRuns.end(run);
            throw e;
        }
        if (claimed.isEmpty()) {
            liveRuns.end(run);
            return Optional.empty();
        }
        liveRuns.claimed(run);
        metrics.jobStarted();
        record.log(
                run,
                JobLogLevel.INFO,
                Stage.INTAKE,
                "Attempt "
                        + claimed.get().attempts()
                        + " started on "
                        + instanceId
                        + " (run "
                        + run.shortToken()
                        + ")");
        return Optional.of(new Run(claimed.get(), this));
    }
}
