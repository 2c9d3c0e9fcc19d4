package shop.usb.pipeline.intake.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.content.ContentLibrary;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.intake.FieldError;
import shop.usb.pipeline.intake.InvalidOrderException;
import shop.usb.pipeline.intake.OrderConfirmation;
import shop.usb.pipeline.intake.OrderConfirmationValidator;
import shop.usb.pipeline.job.JobReads;

/**
 * Turns a manifest file into order confirmations for the orders queue. Each order is checked the
 * way the pipeline will check it (the contract, and that its paths exist inside the library), and
 * against the job table and the orders before it in the file: an order that already has a job is a
 * duplicate and is not published again. The manifest-intake route shows the flow.
 */
public class ManifestIntake {

    public static final String BEAN_NAME = "manifestIntake";

    /** Read by the file consumer's move option: done/NAME or error/NAME. */
    public static final String DESTINATION = "pipelineManifestDestination";

    static final String REPORT = "pipelineManifestReport";

    /** Orders checked against the job table in one query and published in one JMS transaction. */
    static final int BATCH_SIZE = 500;

    private static final Logger LOG = LoggerFactory.getLogger(ManifestIntake.class);

    private final ManifestFolders folders;
    private final OrderConfirmationValidator validator;
    private final ContentLibrary library;
    private final JobReads reads;
    private final ObjectMapper mapper;
    private final long maxOrderBytes;
    private final Clock clock;

    public ManifestIntake(
            Path inbox,
            OrderConfirmationValidator validator,
            ContentLibrary library,
            JobReads reads,
            ObjectMapper mapper,
            long maxOrderBytes,
            Clock clock) {
        this.folders = new ManifestFolders(inbox);
        this.validator = validator;
        this.library = library;
        this.reads = reads;
        this.mapper = mapper;
        this.maxOrderBytes = maxOrderBytes;
        this.clock = clock;
    }

    /** Opens the dropped file; the body becomes its batches of orders. */
    public void open(Exchange exchange) throws IOException {
        String name = exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        Path file = folders.inbox().resolve(name);
        ManifestFormat format = ManifestFormat.ofFileName(name).orElse(null);
        ManifestReport report =
                new ManifestReport(name, format, folders.freeName(name), clock.instant());
        exchange.setProperty(REPORT, report);
        exchange.getMessage().setHeader(DESTINATION, report.destination());
        LOG.info("Reading manifest {}", name);
        if (Files.isSymbolicLink(file) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new ManifestUnreadableException(
                    0, "not a regular file (a symbolic link is not followed)");
        }
        if (format == null) {
            throw new ManifestUnreadableException(
                    0, "unknown format: a manifest file name ends in .csv or .json");
        }
        if (Files.size(file) == 0) {
            throw new ManifestUnreadableException(0, "the file is empty");
        }
        InputStream in;
        try {
            in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new ManifestUnreadableException(0, "the file cannot be read: " + e, e);
        }
        try {
            exchange.getMessage()
                    .setBody(
                            new ManifestBatches(
                                    format.open(in, mapper, (int) maxOrderBytes),
                                    BATCH_SIZE,
                                    report));
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /**
     * Sorts a batch into rejected, duplicate and accepted orders; the body becomes the accepted
     * confirmations.
     */
    public List<String> check(
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
        Map<String, String> existing =
                candidates.isEmpty() ? Map.of() : reads.jobsOfOrders(candidates.keySet());
        List<String> accepted = new ArrayList<>(candidates.size());
        for (Candidate candidate : candidates.values()) {
            String job = existing.get(candidate.orderId());
            if (job != null) {
                report.duplicate(candidate.entry(), "the order already has job " + job);
            } else {
                report.accept(candidate.entry(), candidate.orderId());
                accepted.add(candidate.json());
            }
        }
        return accepted;
    }

    /**
     * Writes the report where the file is about to go: done/, or error/ when reading stopped early
     * (the orders before that point were published, and the report counts them).
     */
    public void finish(Exchange exchange) throws IOException {
        ManifestReport report = exchange.getProperty(REPORT, ManifestReport.class);
        exchange.getMessage().setHeader(DESTINATION, report.destination());
        report.write(folders.inbox(), mapper, clock.instant());
        if (report.unreadableReason() == null) {
            LOG.info(
                    "Manifest {}: {} accepted, {} rejected, {} duplicates",
                    report.destination(),
                    report.accepted(),
                    report.rejected(),
                    report.duplicates());
        } else {
            LOG.warn(
                    "Manifest {} is unreadable: {} ({} orders accepted before that)",
                    report.destination(),
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

    /**
     * The entry as a confirmation ready to publish, or null when it was rejected (and reported).
     */
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
        return new Candidate(entry, order.orderId(), json);
    }

    private record Candidate(ManifestEntry entry, String orderId, String json) {}
}
