package shop.usb.pipeline.ops;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.JobCursor;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobQuery;
import shop.usb.pipeline.job.JobReads;
import shop.usb.pipeline.job.JobReads.BulkTarget;
import shop.usb.pipeline.metrics.PipelineMetrics;
import shop.usb.pipeline.ops.BulkOperations.Claim;
import shop.usb.pipeline.ops.BulkOperations.Kind;
import shop.usb.pipeline.ops.BulkOperations.Operation;
import shop.usb.pipeline.run.LiveRuns;

/**
 * Runs a bulk operation in batches (pipeline.bulk.batch-size, 500), each one transaction with the
 * operation's counts and cursor, so a hundred thousand jobs hold no lock and no memory for long and
 * a run that stops (the instance stopped or died, the database went away) leaves the operation
 * where its last batch committed. Each job changes through the same guarded transition as a single
 * retry or cancel (a job that changed meanwhile is skipped) and its log names the operator. An
 * operation whose run recorded nothing for pipeline.bulk.resume-after is taken over by the next
 * sweep of any instance. The bulk-operation routes show the loop.
 */
public class BulkOperationRunner {

    public static final String BEAN_NAME = "bulkOperationRunner";

    /** The exchange property that hands a claim from the API to the runner. */
    public static final String CLAIM = "pipelineBulkClaim";

    private static final String RUN = "pipelineBulkRun";
    private static final Logger LOG = LoggerFactory.getLogger(BulkOperationRunner.class);

    /** One run of an operation: what it acts on and where its batches are. */
    public static final class Run {
        final Claim claim;
        final Kind kind;
        final JobQuery query;
        final String actor;
        final String target;
        JobCursor after;
        boolean more;
        boolean finished;

        Run(Claim claim, Operation operation) {
            this.claim = claim;
            this.kind = operation.kind();
            this.query =
                    createdUpTo(ApiQueries.jobQuery(operation.filters()::get, false), operation);
            this.actor = operation.actor();
            this.target = operation.target();
            this.after = operation.cursor();
            this.more = !operation.done();
        }

        /**
         * The filters, and no job created after the operation: jobs that arrive meanwhile (or
         * before a stopped operation is taken up) are not the ones the operator counted and
         * confirmed.
         */
        private static JobQuery createdUpTo(JobQuery filters, Operation operation) {
            // The database's microseconds: the first instant after the operation's.
            Instant bound = operation.createdAt().toInstant().plus(1, ChronoUnit.MICROS);
            Instant to =
                    filters.createdTo() == null || filters.createdTo().isAfter(bound)
                            ? bound
                            : filters.createdTo();
            return new JobQuery(
                    filters.orderId(),
                    filters.status(),
                    filters.priority(),
                    filters.errorCode(),
                    filters.stick(),
                    filters.text(),
                    filters.createdFrom(),
                    to,
                    null,
                    0);
        }

        /** Whether another batch may find jobs to change (read by the route's loop). */
        public boolean isMore() {
            return more;
        }
    }

    /** The run lost its operation to another (it was taken over as stale). */
    private static final class TakenOver extends RuntimeException {
        TakenOver() {
            super(null, null, false, false);
        }
    }

    private final BulkOperations operations;
    private final JobLifecycle jobs;
    private final JobReads reads;
    private final LiveRuns liveRuns;
    private final AuditTrail audit;
    private final PipelineMetrics metrics;
    private final TransactionTemplate transaction;
    private final int batchSize;
    private final Duration resumeAfter;

    public BulkOperationRunner(
            DataSource dataSource,
            BulkOperations operations,
            JobLifecycle jobs,
            JobReads reads,
            LiveRuns liveRuns,
            AuditTrail audit,
            PipelineMetrics metrics,
            int batchSize,
            Duration resumeAfter) {
        this.operations = operations;
        this.jobs = jobs;
        this.reads = reads;
        this.liveRuns = liveRuns;
        this.audit = audit;
        this.metrics = metrics;
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.batchSize = batchSize;
        this.resumeAfter = resumeAfter;
    }

    /** The operations of stopped runs, each now held by a new claim (the sweep's body). */
    public List<Claim> takeOverStale() {
        List<Claim> taken = operations.takeOverStale(resumeAfter);
        taken.forEach(
                claim ->
                        LOG.info(
                                "Bulk operation {} had no batch for {}: taken up where it stood",
                                claim.id(),
                                resumeAfter));
        return taken;
    }

    /** Sets up the run of the claimed operation; nothing to do if it ended meanwhile. */
    public void begin(@ExchangeProperty(CLAIM) Claim claim, Exchange exchange) {
        Run run =
                operations
                        .find(claim.id())
                        .map(operation -> new Run(claim, operation))
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "Bulk operation " + claim.id() + " is gone"));
        exchange.setProperty(RUN, run);
    }

    /**
     * Changes the next batch of eligible jobs and records it on the operation, in one transaction;
     * the body becomes the follow-ups of the jobs queued again (their job messages), which the
     * route sends. A run stops between batches when the context stops (the operation is taken up
     * later) or when another run took the operation over.
     */
    public List<FollowUp> nextBatch(@ExchangeProperty(RUN) Run run, Exchange exchange) {
        if (exchange.getContext().isStopping()) {
            LOG.info("Bulk operation {} pauses: this instance stops", run.claim.id());
            run.more = false;
            return List.of();
        }
        List<BulkTarget> batch =
                reads.eligibleBatch(run.query, run.kind.eligible, run.after, batchSize);
        List<FollowUp> followUps = new ArrayList<>();
        List<String> stopping = new ArrayList<>();
        JobCursor last = batch.isEmpty() ? run.after : batch.get(batch.size() - 1).cursor();
        try {
            transaction.executeWithoutResult(
                    status -> {
                        if (!operations.hold(run.claim)) {
                            throw new TakenOver();
                        }
                        long changed = 0;
                        for (BulkTarget job : batch) {
                            if (run.kind == Kind.RETRY
                                    ? retry(job, run.actor, followUps)
                                    : cancel(job, run.actor, stopping)) {
                                changed++;
                            }
                        }
                        if (!operations.recordBatch(run.claim, batch.size(), changed, last)) {
                            throw new TakenOver();
                        }
                    });
        } catch (TakenOver lost) {
            LOG.info("Bulk operation {} was taken over by another run", run.claim.id());
            run.more = false;
            return List.of();
        }
        // Only once the batch committed: a running job is asked to stop.
        stopping.forEach(liveRuns::requestCancel);
        run.after = last;
        run.more = batch.size() == batchSize;
        run.finished = !run.more;
        return followUps;
    }

    /** Marks a run that went through its last batch DONE, with its result in the audit trail. */
    public void finish(@ExchangeProperty(RUN) Run run) {
        if (!run.finished) {
            return;
        }
        try {
            audit.record(
                    run.actor,
                    run.kind.action,
                    run.target,
                    () -> {
                        if (!operations.finish(run.claim)) {
                            throw new TakenOver();
                        }
                        return operations.find(run.claim.id()).orElseThrow();
                    },
                    done -> "CHANGED " + done.changed() + " OF " + done.matched());
        } catch (TakenOver lost) {
            LOG.info("Bulk operation {} was taken over before it finished", run.claim.id());
        }
    }

    private boolean retry(BulkTarget job, String actor, List<FollowUp> followUps) {
        if (!jobs.requeue(job.id(), actor)) {
            return false;
        }
        followUps.add(FollowUp.run(job.id(), null, job.priority()));
        return true;
    }

    private boolean cancel(BulkTarget job, String actor, List<String> stopping) {
        switch (jobs.cancel(job.id(), actor)) {
            case CANCELLED -> metrics.jobCancelled();
            case REQUESTED -> stopping.add(job.id());
            default -> {
                return false;
            }
        }
        return true;
    }
}
