package shop.usb.pipeline.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import shop.usb.pipeline.job.Cancellations;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.JobLogView;
import shop.usb.pipeline.job.JobRepository;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.JobView;

/** The read side of the HTTP API. Query values come from outside: each is checked before use. */
public class JobsApi {

    public static final String BEAN_NAME = "jobsApi";
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private static final String JOB_ID = "pipelineJobId";

    private final JobRepository jobs;
    private final Cancellations cancellations;
    private final Clock clock;

    public JobsApi(JobRepository jobs, Cancellations cancellations, Clock clock) {
        this.jobs = jobs;
        this.cancellations = cancellations;
        this.clock = clock;
    }

    public List<JobView> list(@Header("orderId") String orderId, @Header("status") String status,
            @Header("limit") String limit) {
        return jobs.find(blankToNull(orderId), status(status), limit(limit));
    }

    public JobView get(@Header("id") String id) {
        return jobs.findById(id).orElseThrow(() -> ApiProblem.notFound("Job " + id));
    }

    public List<JobLogView> logs(@Header("id") String id) {
        get(id);
        return jobs.logs(id);
    }

    /** POST /api/jobs/{id}/cancel: 200 when cancelled, 202 when a running job was asked to stop, else 409/404. */
    public JobView cancel(@Header("id") String id, Exchange exchange) {
        switch (jobs.cancel(id)) {
            case CANCELLED -> exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            case REQUESTED -> {
                cancellations.request(id);
                exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
            }
            case ALREADY_FINAL -> throw new ApiProblem(409, "CONFLICT",
                    "Job " + id + " is " + get(id).status() + " and cannot be cancelled", List.of());
            case NOT_FOUND -> throw ApiProblem.notFound("Job " + id);
        }
        return get(id);
    }

    /** POST /api/jobs/{id}/retry: a FAILED or CANCELLED job is queued again; the follow-up sends its job message. */
    public FollowUp retry(@Header("id") String id, Exchange exchange) {
        JobView job = get(id);
        if (!jobs.requeue(id)) {
            throw new ApiProblem(409, "CONFLICT", "Job " + id + " is " + job.status()
                    + "; only FAILED or CANCELLED jobs can be retried", List.of());
        }
        exchange.setProperty(JOB_ID, id);
        return FollowUp.run(id, null);
    }

    /** The job a mutating request acted on, as it is now. */
    public JobView current(@ExchangeProperty(JOB_ID) String id, Exchange exchange) {
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        return get(id);
    }

    /** Shapes the rows of queue-stats.sql (one per status) into the /api/queue answer. */
    public Map<String, Object> queue(List<Map<String, Object>> rows) {
        Map<String, Object> answer = new LinkedHashMap<>();
        for (JobStatus status : JobStatus.values()) {
            answer.put(status.name().toLowerCase(Locale.ROOT), 0L);
        }
        long completedCount = 0;
        double completedDuration = 0;
        Instant oldestQueued = null;
        for (Map<String, Object> row : rows) {
            String status = String.valueOf(row.get("status"));
            long count = ((Number) row.get("jobs")).longValue();
            answer.put(status.toLowerCase(Locale.ROOT), count);
            if (JobStatus.COMPLETED.name().equals(status) && row.get("avg_duration_ms") instanceof Number avg) {
                completedCount = count;
                completedDuration = avg.doubleValue();
            }
            if (JobStatus.QUEUED.name().equals(status)) {
                oldestQueued = instant(row.get("oldest_created_at"));
            }
        }
        answer.put("activeJobs", answer.get("processing"));
        answer.put("avgDurationMs", completedCount == 0 ? null : Math.round(completedDuration));
        answer.put("oldestQueuedAgeSeconds",
                oldestQueued == null ? null : Duration.between(oldestQueued, clock.instant()).toSeconds());
        return answer;
    }

    private static Instant instant(Object value) {
        if (value instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (value instanceof java.sql.Timestamp ts) {
            return ts.toInstant();
        }
        return value == null ? null : OffsetDateTime.parse(value.toString()).toInstant();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static JobStatus status(String value) {
        if (blankToNull(value) == null) {
            return null;
        }
        try {
            return JobStatus.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("status", "must be one of " + List.of(JobStatus.values()));
        }
    }

    private static int limit(String value) {
        if (blankToNull(value) == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badRequest("limit", "must be a whole number from 1 to " + MAX_LIMIT);
    }
}
