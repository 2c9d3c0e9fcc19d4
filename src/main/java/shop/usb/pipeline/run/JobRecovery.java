package shop.usb.pipeline.run;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.crash.CrashPoints.Context;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.InterruptedRuns;
import shop.usb.pipeline.job.InterruptedRuns.RunningJob;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.RetryPolicy;
import shop.usb.pipeline.lease.Reclaimer;
import shop.usb.pipeline.metrics.PipelineMetrics;

/**
 * Finds jobs nobody is running any more and puts them back on track: this instance's own PROCESSING
 * jobs at startup, its own runs that ended while their outcome could not be recorded (the database
 * was away) every few seconds, anyone's stalled ones (no heartbeat for pipeline.stalled.after) on
 * every sweep. Before it takes back a dead run's job, it ends the leases this station's dead runs
 * hold ({@link Reclaimer}): what they left on this instance's slots goes first, since only this
 * instance can reach its slots, and the retry may run on another one. (Waiting jobs whose job
 * message got lost: OverdueJobs.)
 */
public class JobRecovery {

    public static final String BEAN_NAME = "jobRecovery";
    private static final Logger LOG = LoggerFactory.getLogger(JobRecovery.class);

    private final InterruptedRuns jobs;
    private final LiveRuns liveRuns;
    private final Reclaimer reclaimer;
    private final RetryPolicy retries;
    private final String instanceId;
    private final Duration stalledAfter;
    private final PipelineMetrics metrics;
    private final Clock clock;

    public JobRecovery(
            InterruptedRuns jobs,
            LiveRuns liveRuns,
            Reclaimer reclaimer,
            RetryPolicy retries,
            String instanceId,
            Duration stalledAfter,
            PipelineMetrics metrics,
            Clock clock) {
        this.jobs = jobs;
        this.liveRuns = liveRuns;
        this.reclaimer = reclaimer;
        this.retries = retries;
        this.instanceId = instanceId;
        this.stalledAfter = stalledAfter;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * At startup nothing of this instance is running yet: every lease of its station is a dead
     * run's, and every job it owns as PROCESSING was interrupted.
     */
    public List<FollowUp> recoverOwn() {
        return takeBackOwn(
                Context.STARTUP_RECOVERY,
                "was interrupted when instance " + instanceId + " stopped",
                false);
    }

    /**
     * Runs of this live instance that ended without their outcome written (the database or the
     * broker was away when they tried) leave their jobs PROCESSING under a run nobody does, and may
     * leave their lease. They are taken back as soon as the database answers again, without waiting
     * for the stalled threshold, and the attempt is given back: an infrastructure fault never uses
     * up an order.
     */
    public List<FollowUp> recoverAbandoned() {
        return takeBackOwn(
                Context.ABANDONED_RECOVERY,
                "ended while its outcome could not be recorded (the database or the broker was"
                        + " away)",
                true);
    }

    /**
     * The leases of this station's dead runs end first, files and all; then this instance's
     * PROCESSING jobs that no run of it does any more are taken back. A crash in between leaves the
     * job PROCESSING, this instance's to recover again.
     */
    private List<FollowUp> takeBackOwn(Context context, String why, boolean refundAttempt) {
        int kept = reclaimer.endDeadRuns(context);
        if (kept > 0) {
            LOG.warn("{} leases of dead runs stay: what they name could not be removed", kept);
        }
        List<FollowUp> followUps = new ArrayList<>();
        for (RunningJob job : jobs.findOwnRunning(instanceId)) {
            if (!liveRuns.isAlive(job.run())) {
                recover(job, Duration.ZERO, why, refundAttempt).ifPresent(followUps::add);
            }
        }
        return followUps;
    }

    /** Anyone's stalled runs, each ended through the guarded recovery transition. */
    public List<FollowUp> sweep() {
        List<FollowUp> followUps = new ArrayList<>();
        for (RunningJob job : jobs.findStalled(stalledAfter)) {
            recover(job, stalledAfter, "stalled: no heartbeat since " + job.heartbeatAt(), false)
                    .ifPresent(followUps::add);
        }
        return followUps;
    }

    /**
     * Ends the run that was read, if its heartbeat is still older than {@code silentFor}. A run
     * alive in this process is never ended here: at startup a job may already have been claimed
     * again.
     */
    private Optional<FollowUp> recover(
            RunningJob job, Duration silentFor, String why, boolean refundAttempt) {
        if (liveRuns.isAlive(job.run())) {
            return Optional.empty();
        }
        String message =
                "Attempt "
                        + job.attempts()
                        + " (run "
                        + job.run().shortToken()
                        + ") "
                        + why
                        + (refundAttempt ? "; it does not count" : "");
        if (job.cancelRequested()) {
            if (!jobs.recover(
                    job,
                    silentFor,
                    JobStatus.CANCELLED,
                    null,
                    message + "; it was being cancelled",
                    null,
                    false)) {
                return Optional.empty();
            }
            metrics.jobCancelled();
            return Optional.of(FollowUp.none(job.id()));
        }
        Optional<Duration> delay =
                retries.delayAfter(refundAttempt ? job.attempts() - 1 : job.attempts());
        if (delay.isPresent()) {
            LOG.warn("Job {} {}; retrying in {}", job.id(), why, delay.get());
            if (!jobs.recover(
                    job,
                    silentFor,
                    JobStatus.RETRYING,
                    ErrorCode.STALLED,
                    message,
                    delay.get(),
                    refundAttempt)) {
                return Optional.empty();
            }
            metrics.jobRetried(ErrorCode.STALLED);
            return Optional.of(
                    FollowUp.run(job.id(), clock.instant().plus(delay.get()), job.priority()));
        }
        LOG.error("Job {} {}; no attempts left", job.id(), why);
        if (!jobs.recover(
                job,
                silentFor,
                JobStatus.FAILED,
                ErrorCode.STALLED,
                message + "; no attempts left",
                null,
                false)) {
            return Optional.empty();
        }
        metrics.jobFailed(ErrorCode.STALLED);
        return Optional.of(
                FollowUp.deadLetter(
                        job.id(),
                        job.orderId(),
                        job.orderJson(),
                        ErrorCode.STALLED,
                        message,
                        job.stage()));
    }
}
