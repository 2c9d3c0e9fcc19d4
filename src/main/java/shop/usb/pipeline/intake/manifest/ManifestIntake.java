package shop.usb.pipeline.intake.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.content.ContentLibrary;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.intake.FieldError;
import shop.usb.pipeline.intake.InvalidOrderException;
import shop.usb.pipeline.intake.OrderConfirmation;
import shop.usb.pipeline.intake.OrderConfirmationValidator;
import shop.usb.pipeline.intake.manifest.CheckedBatch.Candidate;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.IncomingOrder;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobReads;
import shop.usb.pipeline.job.JobReads.OrderJob;
import shop.usb.pipeline.metrics.PipelineMetrics;

/**
 * Turns a manifest file into QUEUED jobs, a batch at a time. Each order is checked the way the
 * pipeline will check it (the contract, and that its paths exist inside the library), and against
 * the job table and the orders before it in the file: an order that already has a job is a
 * duplicate and gets no second one. The manifest-intake route shows the flow. Its start gives back
 * to the inbox what a crash left claimed.
 */
public class ManifestIntake extends ServiceSupport {

    public static final String BEAN_NAME = "manifestIntake";

    static final String REPORT = "pipelineManifestReport";

    static final String CLAIM = "pipelineManifestClaim";

    /**
     * Orders checked against the job table in one query and recorded as jobs in one transaction.
     */
    static final int BATCH_SIZE = 500;

    /** ... or fewer, once this much of the file went into the batch. */
    static final long BATCH_BYTES = 1024L * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ManifestIntake.class);

    private final ManifestFolders folders;
    private final OrderConfirmationValidator validator;
    private final ContentLibrary library;
    private final JobReads reads;
    private final JobLifecycle jobs;
    private final PipelineMetrics metrics;
    private final ObjectMapper mapper;
    private final long maxOrderBytes;
    private final Clock clock;
    private final AtomicReference<String> lastRefusal = new AtomicReference<>();

    public ManifestIntake(
            Path inbox,
            String instanceId,
            OrderConfirmationValidator validator,
            ContentLibrary library,
            JobReads reads,
            JobLifecycle jobs,
            PipelineMetrics metrics,
            ObjectMapper mapper,
            long maxOrderBytes,
            Clock clock) {
        this.folders = new ManifestFolders(inbox, instanceId);
        this.validator = validator;
        this.library = library;
        this.reads = reads;
        this.jobs = jobs;
        this.metrics = metrics;
        this.mapper = mapper;
        this.maxOrderBytes = maxOrderBytes;
        this.clock = clock;
    }

    @Override
    protected void doStart() {
        try {
            String swappable = folders.swappableBecause();
            if (swappable != null) {
                LOG.warn("The manifest inbox {}", swappable);
            }
            List<String> returned = folders.returnClaimed();
            if (!returned.isEmpty()) {
                LOG.warn(
                        "Manifests a stopped run had claimed are back in the inbox, to be read"
                                + " again: {}",
                        returned);
            }
        } catch (InboxFolderRefusedException e) {
            refused(e);
        } catch (IOException e) {
            LOG.error("Manifests left claimed could not go back to the inbox", e);
        }
    }

    /**
     * Claims the dropped file and opens it; the body becomes its batches of orders. The route stops
     * here when another instance claimed the file first, or when one of the inbox's own folders is
     * refused (logged once while it lasts; the file waits in the inbox).
     */
    public void open(Exchange exchange) throws IOException {
        String name = exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        ManifestClaim claim = claim(name).orElse(null);
        if (claim == null) {
            exchange.setRouteStop(true);
            return;
        }
        exchange.setProperty(CLAIM, claim);
        exchange.getExchangeExtension().addOnCompletion(new ClaimEnd(claim));
        ManifestFormat format = ManifestFormat.ofFileName(name).orElse(null);
        ManifestReport report = new ManifestReport(name, format, clock.instant());
        exchange.setProperty(REPORT, report);
        LOG.info("Reading manifest {}", name);
        BasicFileAttributes attributes = claim.attributes();
        if (!attributes.isRegularFile()) {
            throw new ManifestUnreadableException(
                    0, "not a regular file (a symbolic link, a FIFO or a device is not opened)");
        }
        if (format == null) {
            throw new ManifestUnreadableException(
                    0, "unknown format: a manifest file name ends in .csv or .json");
        }
        if (attributes.size() == 0) {
            throw new ManifestUnreadableException(0, "the file is empty");
        }
        CountingInputStream in;
        try {
            in = new CountingInputStream(claim.open());
        } catch (IOException e) {
            throw new ManifestUnreadableException(0, "the file cannot be read: " + e, e);
        }
        try {
            exchange.getMessage()
                    .setBody(
                            new ManifestBatches(
                                    format.open(in, mapper, (int) maxOrderBytes),
                                    BATCH_SIZE,
                                    BATCH_BYTES,
                                    in::count,
                                    report));
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private Optional<ManifestClaim> claim(String name) throws IOException {
        try {
            Optional<ManifestClaim> claim = folders.claim(name);
            lastRefusal.set(null);
            if (claim.isEmpty()) {
                LOG.debug("Manifest {} was claimed by another instance", name);
            }
            return claim;
        } catch (InboxFolderRefusedException e) {
            refused(e);
            return Optional.empty();
        }
    }

    /** Logged once while the same refusal lasts: the inbox is polled every second. */
    private void refused(InboxFolderRefusedException e) {
        if (!e.getMessage().equals(lastRefusal.getAndSet(e.getMessage()))) {
            LOG.error("No manifest is read: {}", e.getMessage());
        }
    }

    /**
     * Sorts a batch into rejected, duplicate and acceptable orders. A duplicate whose job is still
     * QUEUED gets its job message again, as a redelivered confirmation does: this file's earlier
     * read may have committed the job and died (or lost the broker) before sending it.
     */
    public CheckedBatch check(
            List<ManifestEntry> batch, @ExchangeProperty(REPORT) ManifestReport report) {
        Map<String, Candidate> candidates = new LinkedHashMap<>();
        for (ManifestEntry entry : batch) {
            Candidate candidate = candidate(entry, report);
            if (candidate == null) {
                continue;
            }
            Integer earlier = report.firstLineOf(candidate.orderId());
            Candidate sameBatch = candidates.get(candidate.orderId());
            if (earlier != null || sameBatch != null) {
                report.duplicate(
                        entry,
                        "repeats the order on line "
                                + (earlier != null ? earlier : sameBatch.entry().line()));
            } else {
                candidates.put(candidate.orderId(), candidate);
            }
        }
        Map<String, OrderJob> existing =
                candidates.isEmpty() ? Map.of() : reads.jobsOfOrders(candidates.keySet());
        List<Candidate> acceptable = new ArrayList<>(candidates.size());
        List<FollowUp> resent = new ArrayList<>();
        for (Candidate candidate : candidates.values()) {
            OrderJob job = existing.get(candidate.orderId());
            if (job == null) {
                acceptable.add(candidate);
            } else {
                duplicate(candidate, job, report);
                if (job.queued()) {
                    resent.add(FollowUp.run(job.jobId(), null, job.priority()));
                }
            }
        }
        return new CheckedBatch(acceptable, resent);
    }

    /**
     * Records the batch's acceptable orders as QUEUED jobs in one transaction; the body becomes the
     * job messages to send, theirs and those {@link #check} found missing. An order another intake
     * took in since the check is a duplicate.
     */
    public List<FollowUp> record(
            CheckedBatch checked, @ExchangeProperty(REPORT) ManifestReport report) {
        List<Candidate> acceptable = checked.acceptable();
        Map<String, String> created =
                jobs.createAll(acceptable.stream().map(Candidate::order).toList());
        List<String> raced =
                acceptable.stream()
                        .map(Candidate::orderId)
                        .filter(orderId -> !created.containsKey(orderId))
                        .toList();
        Map<String, OrderJob> existing = raced.isEmpty() ? Map.of() : reads.jobsOfOrders(raced);
        List<FollowUp> runs = new ArrayList<>(checked.resent());
        for (Candidate candidate : acceptable) {
            String job = created.get(candidate.orderId());
            if (job == null) {
                duplicate(candidate, existing.get(candidate.orderId()), report);
            } else {
                report.accept(candidate.entry(), candidate.orderId());
                metrics.jobCreated();
                runs.add(FollowUp.run(job, null, candidate.order().priority()));
            }
        }
        return runs;
    }

    private static void duplicate(Candidate candidate, OrderJob job, ManifestReport report) {
        report.duplicate(candidate.entry(), "the order already has job " + job);
    }

    /**
     * Writes the report where the file is about to go: done/, or error/ when reading stopped early
     * (the orders before that point have their jobs, and the report counts them).
     */
    public void finish(Exchange exchange) throws IOException {
        ManifestReport report = exchange.getProperty(REPORT, ManifestReport.class);
        Instant finishedAt = clock.instant();
        String stored =
                report.folder()
                        + "/"
                        + exchange.getProperty(CLAIM, ManifestClaim.class)
                                .store(
                                        report.folder(),
                                        (storedName, out) ->
                                                mapper.writerWithDefaultPrettyPrinter()
                                                        .writeValue(
                                                                out,
                                                                report.toMap(
                                                                        finishedAt, storedName)));
        if (report.unreadableReason() == null) {
            LOG.info(
                    "Manifest {}: {} accepted, {} rejected, {} duplicates",
                    stored,
                    report.accepted(),
                    report.rejected(),
                    report.duplicates());
        } else {
            LOG.warn(
                    "Manifest {} is unreadable: {} ({} orders accepted before that)",
                    stored,
                    report.unreadableReason(),
                    report.accepted());
        }
    }

    /** Called by manifest-errors when the file cannot be opened as a manifest at all. */
    public void unreadable(Exchange exchange) throws IOException {
        ManifestUnreadableException cause =
                exchange.getProperty(Exchange.EXCEPTION_CAUGHT, ManifestUnreadableException.class);
        exchange.getProperty(REPORT, ManifestReport.class)
                .unreadable(cause.line(), cause.getMessage());
        finish(exchange);
    }

    /** The entry as an order ready to become a job, or null when it was rejected (and reported). */
    private Candidate candidate(ManifestEntry entry, ManifestReport report) {
        ManifestFormat format = report.format();
        if (!entry.problems().isEmpty()) {
            report.reject(entry, entry.code().name(), entry.problems());
            return null;
        }
        OrderConfirmation order;
        try {
            order = validator.validate(entry.order());
            library.checkPaths(order.content());
        } catch (InvalidOrderException e) {
            report.reject(
                    entry,
                    e.code().name(),
                    e.errors().stream()
                            .map(
                                    error ->
                                            new FieldError(
                                                    format.field(error.field()), error.reason()))
                            .toList());
            return null;
        } catch (JobFailure e) {
            String field = e.field() == null ? "content" : format.field(e.field());
            report.reject(entry, e.code().name(), List.of(new FieldError(field, e.reason())));
            return null;
        }
        String json;
        try {
            json = mapper.writeValueAsString(entry.order());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "A parsed confirmation cannot be written back as JSON", e);
        }
        if (json.getBytes(StandardCharsets.UTF_8).length > maxOrderBytes) {
            report.reject(
                    entry,
                    ErrorCode.MESSAGE_TOO_LARGE.name(),
                    List.of(
                            new FieldError(
                                    "$",
                                    "the confirmation is larger than pipeline.intake.max-bytes ("
                                            + maxOrderBytes
                                            + ")")));
            return null;
        }
        return new Candidate(
                entry,
                new IncomingOrder(
                        order.orderId(),
                        OrderConfirmationValidator.priorityOrDefault(entry.order()).label(),
                        OrderConfirmationValidator.customerKey(entry.order()),
                        json));
    }

    /**
     * Ends a claim with its exchange: a stored manifest's folders are closed; one whose read failed
     * (the broker away, say) goes back to the inbox for the next poll.
     */
    private static final class ClaimEnd extends SynchronizationAdapter {

        private final ManifestClaim claim;

        ClaimEnd(ManifestClaim claim) {
            this.claim = claim;
        }

        @Override
        public void onDone(Exchange exchange) {
            try {
                claim.release();
            } catch (IOException e) {
                LOG.error(
                        "A claimed manifest could not go back to the inbox; the next start"
                                + " returns it",
                        e);
            } finally {
                claim.close();
            }
        }
    }
}
