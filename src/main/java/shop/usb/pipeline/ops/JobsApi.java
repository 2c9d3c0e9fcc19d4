package shop.usb.pipeline.ops;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import shop.usb.pipeline.intake.OrderConfirmation.Priority;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.JobAction;
import shop.usb.pipeline.job.JobFigures;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobLogView;
import shop.usb.pipeline.job.JobPage;
import shop.usb.pipeline.job.JobReads;
import shop.usb.pipeline.job.JobStatistics;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.JobTimeline;
import shop.usb.pipeline.job.JobView;
import shop.usb.pipeline.job.StatusSummary;
import shop.usb.pipeline.metrics.PipelineMetrics;
import shop.usb.pipeline.run.LiveRuns;
import shop.usb.pipeline.station.SlotViews;
import shop.usb.pipeline.status.StatusRelay;
import shop.usb.pipeline.transfer.StickReverifier;

/** The read side of the HTTP API. Query values come from outside: each is checked before use. */
public class JobsApi {

    public static final String BEAN_NAME = "jobsApi";

    private static final String JOB_ID = "pipelineJobId";

    private final JobLifecycle jobs;
    private final JobReads reads;
    private final JobStatistics statistics;
    private final LiveRuns liveRuns;
    private final AuditTrail audit;
    private final SlotViews slots;
    private final StickReverifier reverifier;
    private final PipelineMetrics metrics;
    private final StatusRelay statusEvents;
    private final Duration stalledAfter;
    private final Clock clock;

    public JobsApi(
            JobLifecycle jobs,
            JobReads reads,
            JobStatistics statistics,
            LiveRuns liveRuns,
            AuditTrail audit,
            SlotViews slots,
            StickReverifier reverifier,
            PipelineMetrics metrics,
            StatusRelay statusEvents,
            Duration stalledAfter,
            Clock clock) {
        this.jobs = jobs;
        this.reads = reads;
        this.statistics = statistics;
        this.liveRuns = liveRuns;
        this.audit = audit;
        this.slots = slots;
        this.reverifier = reverifier;
        this.metrics = metrics;
        this.statusEvents = statusEvents;
        this.stalledAfter = stalledAfter;
        this.clock = clock;
    }

    /** GET /api/jobs: newest first, filtered and searched ({@code q}), a page at a time. */
    public JobPage list(Exchange exchange) {
        return reads.find(ApiQueries.jobQuery(exchange.getMessage(), true));
    }

    public JobView get(@Header("id") String id) {
        return reads.findById(id).orElseThrow(() -> ApiProblem.notFound("Job " + id));
    }

    /** GET /api/jobs/{id}/timeline: each attempt as a row, and the events between them. */
    public JobTimeline timeline(@Header("id") String id) {
        get(id);
        return JobTimeline.of(reads.logs(id, 0));
    }

    /**
     * GET /api/jobs/{id}/logs?after=: the lines written after line {@code after}, so a viewer
     * fetches only new ones.
     */
    public List<JobLogView> logs(@Header("id") String id, @Header("after") String after) {
        get(id);
        return reads.logs(id, ApiQueries.lineId("after", after));
    }

    /**
     * POST /api/jobs/{id}/cancel: 200 when cancelled, 202 when a running job was asked to stop,
     * else 409/404.
     */
    public JobView cancel(@Header("id") String id, Exchange exchange) {
        String actor = HttpGate.actorOf(exchange);
        JobLifecycle.CancelOutcome outcome =
                audit.record(
                        actor,
                        "job.cancel",
                        id,
                        () -> {
                            JobLifecycle.CancelOutcome cancel = jobs.cancel(id, actor);
                            switch (cancel) {
                                case ALREADY_FINAL ->
                                        throw new ApiProblem(
                                                409,
                                                "CONFLICT",
                                                "Job "
                                                        + id
                                                        + " is "
                                                        + get(id).status()
                                                        + " and cannot be cancelled",
                                                List.of());
                                case NOT_FOUND -> throw ApiProblem.notFound("Job " + id);
                                default -> {
                                    // CANCELLED or REQUESTED: told below, once committed
                                }
                            }
                            return cancel;
                        },
                        Enum::name);
        // Only once the cancel is committed: a running job is asked to stop, a cancelled one
        // counted.
        if (outcome == JobLifecycle.CancelOutcome.REQUESTED) {
            liveRuns.requestCancel(id);
        } else {
            metrics.jobCancelled();
        }
        exchange.getMessage()
                .setHeader(
                        Exchange.HTTP_RESPONSE_CODE,
                        outcome == JobLifecycle.CancelOutcome.CANCELLED ? 200 : 202);
        return get(id);
    }

    /**
     * POST /api/jobs/{id}/retry: a FAILED or CANCELLED job is queued again; the follow-up sends its
     * job message.
     */
    public FollowUp retry(@Header("id") String id, Exchange exchange) {
        String actor = HttpGate.actorOf(exchange);
        FollowUp followUp =
                audit.record(
                        actor,
                        "job.retry",
                        id,
                        () -> {
                            JobView job = get(id);
                            if (!jobs.requeue(id, actor)) {
                                throw new ApiProblem(
                                        409,
                                        "CONFLICT",
                                        "Job "
                                                + id
                                                + " is "
                                                + job.status()
                                                + "; only FAILED or CANCELLED jobs can be retried",
                                        List.of());
                            }
                            return FollowUp.run(id, null, job.priority());
                        },
                        queued -> "QUEUED");
        exchange.setProperty(JOB_ID, id);
        return followUp;
    }

    /**
     * POST /api/jobs/{id}/reverify: a COMPLETED job whose stick is plugged into a slot of this
     * station is read back again (the reverify-stick route, on its own); 202 now, the result on the
     * job later. One read-back per slot at a time: a second answers 409.
     */
    public StickReverifier.Request reverify(@Header("id") String id, Exchange exchange) {
        String actor = HttpGate.actorOf(exchange);
        AtomicReference<String> reserved = new AtomicReference<>();
        try {
            StickReverifier.Request request = reverifyRecorded(id, actor, reserved);
            exchange.setProperty(JOB_ID, id);
            return request;
        } catch (RuntimeException notStarted) {
            if (reserved.get() != null) {
                reverifier.release(reserved.get());
            }
            throw notStarted;
        }
    }

    private StickReverifier.Request reverifyRecorded(
            String id, String actor, AtomicReference<String> reserved) {
        return audit.record(
                actor,
                "job.reverify",
                id,
                () -> {
                    JobView job = get(id);
                    if (!job.actions().contains(JobAction.REVERIFY)
                            || job.manifestSha256() == null) {
                        throw new ApiProblem(
                                409,
                                "NOT_DELIVERED",
                                "Job "
                                        + id
                                        + " is "
                                        + job.status()
                                        + " and has no stick on record to read back",
                                List.of());
                    }
                    SlotViews.SlotView slot =
                            slots.slotHolding(job.stick().id(), job.stick().serial())
                                    .orElseThrow(
                                            () ->
                                                    new ApiProblem(
                                                            409,
                                                            "STICK_NOT_PLUGGED",
                                                            "The stick of job "
                                                                    + id
                                                                    + " (id "
                                                                    + job.stick().id()
                                                                    + ", serial "
                                                                    + job.stick().serial()
                                                                    + ") is in no slot of this station; plug it into any"
                                                                    + " slot and ask again",
                                                            List.of()));
                    // A stick that holds an order is DONE (never taken out) or FAULTY
                    // (brought back: not blank), so
                    // no write can take its slot while it is read.
                    if (!"DONE".equals(slot.state()) && !"FAULTY".equals(slot.state())) {
                        throw new ApiProblem(
                                409,
                                "CONFLICT",
                                "Slot "
                                        + slot.slot()
                                        + " is "
                                        + slot.state()
                                        + "; a stick that holds an order is DONE or FAULTY there",
                                List.of());
                    }
                    if (!reverifier.reserve(slot.slot())) {
                        throw new ApiProblem(
                                409,
                                "REVERIFY_RUNNING",
                                "The stick in slot "
                                        + slot.slot()
                                        + " is being read back; ask again when that ends",
                                List.of());
                    }
                    reserved.set(slot.slot());
                    return new StickReverifier.Request(
                            id,
                            job.orderId(),
                            slot.slot(),
                            slot.path(),
                            job.manifestSha256(),
                            job.filesPlanned(),
                            job.bytesPlanned());
                },
                started -> "STARTED IN " + started.slot());
    }

    /** The job a mutating request acted on, as it is now. */
    public JobView current(@ExchangeProperty(JOB_ID) String id, Exchange exchange) {
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        return get(id);
    }

    /**
     * GET /api/queue: counts per status, active jobs, averages, oldest waiting job and throughput.
     */
    public Map<String, Object> queue() {
        StatusSummary summary = statistics.statusSummary();
        JobFigures figures = statistics.figures(stalledAfter);
        Map<String, Object> answer = new LinkedHashMap<>();
        for (JobStatus status : JobStatus.values()) {
            answer.put(status.name().toLowerCase(Locale.ROOT), summary.count(status));
        }
        answer.put("total", summary.total());
        answer.put("activeJobs", summary.count(JobStatus.PROCESSING));
        answer.put(
                "avgDurationMs",
                summary.avgCompletedDurationMs() == null
                        ? null
                        : Math.round(summary.avgCompletedDurationMs()));
        answer.put(
                "oldestQueuedAgeSeconds",
                summary.oldestQueuedAt() == null
                        ? null
                        : Duration.between(summary.oldestQueuedAt(), clock.instant()).toSeconds());
        answer.put(
                "throughput",
                Map.of(
                        "lastHour", throughput(figures.completedLastHour(), 60),
                        "last24h", throughput(figures.completedLastDay(), 24 * 60)));
        answer.put("statusEvents", statusEvents.figures());
        return answer;
    }

    /** GET /api/stats: jobs by status and priority, success rate, average times, errors by code. */
    public Map<String, Object> stats() {
        Map<String, Long> byStatus = new LinkedHashMap<>();
        for (JobStatus status : JobStatus.values()) {
            byStatus.put(status.name(), 0L);
        }
        Map<String, Long> byPriority = new LinkedHashMap<>();
        for (Priority priority : Priority.values()) {
            byPriority.put(priority.label(), 0L);
        }
        double durationSum = 0;
        long durationCount = 0;
        double queueSum = 0;
        long queueCount = 0;
        for (JobStatistics.StatusPriorityCount row : statistics.byStatusAndPriority()) {
            byStatus.merge(row.status().name(), row.jobs(), Long::sum);
            byPriority.merge(row.priority(), row.jobs(), Long::sum);
            if (row.status() == JobStatus.COMPLETED) {
                durationSum += row.durationMsSum();
                durationCount += row.durationMsCount();
            }
            queueSum += row.queueMsSum();
            queueCount += row.startedCount();
        }
        Map<String, Map<String, Long>> errors = new TreeMap<>();
        for (JobStatistics.ErrorCount row : statistics.errorCounts()) {
            errors.computeIfAbsent(row.errorCode(), code -> new LinkedHashMap<>())
                    .put(row.status().name().toLowerCase(Locale.ROOT), row.jobs());
        }
        long completed = byStatus.get(JobStatus.COMPLETED.name());
        long failed = byStatus.get(JobStatus.FAILED.name());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("byStatus", byStatus);
        answer.put("byPriority", byPriority);
        answer.put(
                "successRate",
                completed + failed == 0 ? null : (double) completed / (completed + failed));
        answer.put("successRateLastHour", statistics.figures(stalledAfter).successRateLastHour());
        answer.put(
                "avgProcessingMs",
                durationCount == 0 ? null : Math.round(durationSum / durationCount));
        answer.put("avgQueueMs", queueCount == 0 ? null : Math.round(queueSum / queueCount));
        answer.put("errorsByCode", errors);
        return answer;
    }

    private static Map<String, Object> throughput(long completed, int minutes) {
        Map<String, Object> window = new LinkedHashMap<>();
        window.put("completed", completed);
        window.put("perMinute", Math.round(completed * 100.0 / minutes) / 100.0);
        return window;
    }
}
