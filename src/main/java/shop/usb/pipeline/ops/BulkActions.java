package shop.usb.pipeline.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.JobAction;
import shop.usb.pipeline.job.JobCursor;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobQuery;
import shop.usb.pipeline.job.JobReads;
import shop.usb.pipeline.job.JobReads.BulkTarget;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.metrics.PipelineMetrics;
import shop.usb.pipeline.run.LiveRuns;

/**
 * POST /api/jobs/retry and /api/jobs/cancel: one action on every job the list's filters match, in
 * batches (pipeline.bulk.batch-size, 500), each batch one transaction, so a hundred thousand jobs
 * hold no lock and no memory for long. Each job changes through the same guarded transition as a
 * single retry or cancel (a job that changed meanwhile is skipped) and its log names the operator;
 * the action is one entry of the audit trail. With dryRun=true it only counts. The api-bulk routes
 * show the loop.
 */
public class BulkActions {

    public static final String BEAN_NAME = "bulkActions";
    private static final String RUN = "pipelineBulkRun";

    public enum Kind {
        RETRY("jobs.retry", JobAction.RETRY.allowedFrom()),
        CANCEL("jobs.cancel", JobAction.CANCEL.allowedFrom());

        final String action;
        final Set<JobStatus> eligible;

        Kind(String action, Set<JobStatus> eligible) {
            this.action = action;
            this.eligible = eligible;
        }
    }

    /** One bulk action under way: what it acts on, where its batches are, what it did. */
    public static final class Run {
        final Kind kind;
        final JobQuery query;
        final String filters;
        final String actor;
        final boolean dryRun;
        final long matched;
        final long eligible;
        long changed;
        JobCursor after;
        boolean more;

        Run(
                Kind kind,
                JobQuery query,
                String filters,
                String actor,
                boolean dryRun,
                JobReads.BulkCount count) {
            this.kind = kind;
            this.query = query;
            this.filters = filters;
            this.actor = actor;
            this.dryRun = dryRun;
            this.matched = count.matched();
            this.eligible = count.eligible();
            this.more = !dryRun && count.eligible() > 0;
        }

        /** Whether another batch may find jobs to change (read by the route's loop). */
        public boolean isMore() {
            return more;
        }
    }

    private final JobLifecycle jobs;
    private final JobReads reads;
    private final LiveRuns liveRuns;
    private final AuditTrail audit;
    private final PipelineMetrics metrics;
    private final TransactionTemplate transaction;
    private final int batchSize;

    public BulkActions(
            DataSource dataSource,
            JobLifecycle jobs,
            JobReads reads,
            LiveRuns liveRuns,
            AuditTrail audit,
            PipelineMetrics metrics,
            int batchSize) {
        this.batchSize = batchSize;
        this.jobs = jobs;
        this.reads = reads;
        this.liveRuns = liveRuns;
        this.audit = audit;
        this.metrics = metrics;
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    public void startRetry(Exchange exchange) {
        start(Kind.RETRY, exchange);
    }

    public void startCancel(Exchange exchange) {
        start(Kind.CANCEL, exchange);
    }

    /**
     * Reads the filters and counts what they match; the body is emptied (the filters are headers).
     */
    private void start(Kind kind, Exchange exchange) {
        JobQuery query = ApiQueries.jobQuery(exchange.getMessage(), false);
        boolean dryRun =
                ApiQueries.flag(
                        "dryRun", exchange.getMessage().getHeader("dryRun", String.class), false);
        String filters =
                ApiQueries.JOB_FILTERS.stream()
                        .filter(
                                name ->
                                        exchange.getMessage().getHeader(name, String.class) != null
                                                && !exchange.getMessage()
                                                        .getHeader(name, String.class)
                                                        .isBlank())
                        .map(
                                name ->
                                        name
                                                + "="
                                                + exchange.getMessage()
                                                        .getHeader(name, String.class))
                        .collect(Collectors.joining("&"));
        String actor = HttpGate.actorOf(exchange);
        exchange.setProperty(
                RUN,
                new Run(
                        kind,
                        query,
                        filters.isEmpty() ? "(all jobs)" : filters,
                        actor,
                        dryRun,
                        reads.count(query, kind.eligible)));
        exchange.getMessage().setBody(null);
    }

    /**
     * Changes the next batch of eligible jobs in one transaction; the body becomes the follow-ups
     * of the jobs queued again (their job messages), which the route sends.
     */
    public List<FollowUp> nextBatch(@ExchangeProperty(RUN) Run run) {
        List<BulkTarget> batch =
                reads.eligibleBatch(run.query, run.kind.eligible, run.after, batchSize);
        List<FollowUp> followUps = new ArrayList<>();
        List<String> stopping = new ArrayList<>();
        transaction.executeWithoutResult(
                status -> {
                    for (BulkTarget job : batch) {
                        if (run.kind == Kind.RETRY
                                ? retry(job, run.actor, followUps)
                                : cancel(job, run.actor, stopping)) {
                            run.changed++;
                        }
                    }
                });
        // Only once the batch committed: a running job is asked to stop, a cancelled one counted.
        stopping.forEach(liveRuns::requestCancel);
        if (!batch.isEmpty()) {
            run.after = batch.get(batch.size() - 1).cursor();
        }
        run.more = batch.size() == batchSize;
        return followUps;
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

    /**
     * The answer {matched, changed, skipped, dryRun}; a real run is recorded in the audit trail.
     */
    public Map<String, Object> finish(@ExchangeProperty(RUN) Run run, Exchange exchange) {
        exchange.getMessage().getHeaders().clear();
        long changed = run.dryRun ? run.eligible : run.changed;
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("matched", run.matched);
        answer.put("changed", changed);
        answer.put(
                "skipped",
                Math.max(0, run.matched - changed)); // jobs that became eligible meanwhile
        answer.put("dryRun", run.dryRun);
        if (!run.dryRun) {
            audit.record(
                    run.actor,
                    run.kind.action,
                    run.filters,
                    () -> answer,
                    done -> "CHANGED " + changed + " OF " + run.matched);
        }
        return answer;
    }
}
