package shop.usb.pipeline.ops;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Message;
import shop.usb.pipeline.job.JobQuery;
import shop.usb.pipeline.job.JobReads;
import shop.usb.pipeline.ops.BulkOperations.Claim;
import shop.usb.pipeline.ops.BulkOperations.Kind;
import shop.usb.pipeline.ops.BulkOperations.Operation;

/**
 * POST /api/jobs/retry and /api/jobs/cancel: one action on every job the list's filters match. With
 * dryRun=true it only counts, and answers 200 {matched, changed, skipped, dryRun}. Otherwise it
 * counts, records the operation (and its start in the audit trail) and answers 202 with the
 * operation at once; BulkOperationRunner changes the jobs in the background, and GET
 * /api/operations/{id} shows how far it is. The api-bulk routes show the flow.
 */
public class BulkActions {

    public static final String BEAN_NAME = "bulkActions";

    private final JobReads reads;
    private final BulkOperations operations;
    private final AuditTrail audit;

    public BulkActions(JobReads reads, BulkOperations operations, AuditTrail audit) {
        this.reads = reads;
        this.operations = operations;
        this.audit = audit;
    }

    public Map<String, Object> startRetry(Exchange exchange) {
        return start(Kind.RETRY, exchange);
    }

    public Map<String, Object> startCancel(Exchange exchange) {
        return start(Kind.CANCEL, exchange);
    }

    /**
     * The dry run's count, or the new operation (202, its claim left for the runner in the exchange
     * property {@link BulkOperationRunner#CLAIM}).
     */
    private Map<String, Object> start(Kind kind, Exchange exchange) {
        Message request = exchange.getMessage();
        Map<String, String> filters = new LinkedHashMap<>();
        for (String name : ApiQueries.JOB_FILTERS) {
            String value = request.getHeader(name, String.class);
            if (value != null && !value.isBlank()) {
                filters.put(name, value);
            }
        }
        JobQuery query = ApiQueries.jobQuery(filters::get, false);
        boolean dryRun =
                ApiQueries.flag("dryRun", request.getHeader("dryRun", String.class), false);
        JobReads.BulkCount count = reads.count(query, kind.eligible);
        String actor = HttpGate.actorOf(exchange);
        request.getHeaders().clear();
        if (dryRun) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("matched", count.matched());
            answer.put("changed", count.eligible());
            answer.put("skipped", count.matched() - count.eligible());
            answer.put("dryRun", true);
            return answer;
        }
        String target =
                filters.isEmpty()
                        ? "(all jobs)"
                        : filters.entrySet().stream()
                                .map(filter -> filter.getKey() + "=" + filter.getValue())
                                .collect(Collectors.joining("&"));
        Claim claim =
                audit.record(
                        actor,
                        kind.action,
                        target,
                        () ->
                                operations.create(
                                        kind,
                                        filters,
                                        target,
                                        actor,
                                        count.matched(),
                                        count.eligible()),
                        started -> "STARTED " + started.id());
        exchange.setProperty(BulkOperationRunner.CLAIM, claim);
        request.setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        request.setHeader("Location", "/api/operations/" + claim.id());
        return view(operations.find(claim.id()).orElseThrow());
    }

    /** GET /api/operations/{id}: how far an operation is, or 404. */
    public Map<String, Object> operation(@Header("id") String id) {
        // Only an id this product could have made is named back.
        String known = validId(id).orElseThrow(() -> ApiProblem.notFound("That operation"));
        return operations
                .find(known)
                .map(BulkActions::view)
                .orElseThrow(() -> ApiProblem.notFound("Operation " + known));
    }

    /**
     * {id, action, target, actor, status, done, matched, eligible, processed, changed, skipped,
     * progress, resumed, createdAt, updatedAt, finishedAt}: skipped counts the matched jobs not in
     * a status to change and those looked at but left (they changed meanwhile).
     */
    static Map<String, Object> view(Operation operation) {
        long skipped =
                operation.done()
                        ? operation.matched() - operation.changed()
                        : operation.matched()
                                - operation.eligible()
                                + operation.processed()
                                - operation.changed();
        double progress =
                operation.done() || operation.eligible() == 0
                        ? (operation.done() ? 1.0 : 0.0)
                        : Math.min(1.0, (double) operation.processed() / operation.eligible());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", operation.id());
        view.put("action", operation.kind().name().toLowerCase(Locale.ROOT));
        view.put("target", operation.target());
        view.put("actor", operation.actor());
        view.put("status", operation.status());
        view.put("done", operation.done());
        view.put("matched", operation.matched());
        view.put("eligible", operation.eligible());
        view.put("processed", operation.processed());
        view.put("changed", operation.changed());
        view.put("skipped", Math.max(0, skipped));
        view.put("progress", Math.round(progress * 1000) / 1000.0);
        view.put("resumed", operation.resumed());
        view.put("createdAt", operation.createdAt().toInstant().toString());
        view.put("updatedAt", operation.heartbeatAt().toInstant().toString());
        view.put(
                "finishedAt",
                operation.finishedAt() == null
                        ? null
                        : operation.finishedAt().toInstant().toString());
        return view;
    }

    private static Optional<String> validId(String id) {
        try {
            return Optional.of(UUID.fromString(id).toString());
        } catch (IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
        }
    }
}
