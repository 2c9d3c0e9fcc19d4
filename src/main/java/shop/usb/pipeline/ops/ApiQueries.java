package shop.usb.pipeline.ops;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.apache.camel.Message;
import shop.usb.pipeline.intake.OrderConfirmation.Priority;
import shop.usb.pipeline.job.JobCursor;
import shop.usb.pipeline.job.JobQuery;
import shop.usb.pipeline.job.JobStatus;

/** Query values from outside, checked before use: each failure names its field (400). */
final class ApiQueries {

    /** The list's filters, which the bulk actions take too (openapi.json documents each). */
    static final List<String> JOB_FILTERS =
            List.of("orderId", "status", "priority", "errorCode", "stick", "q", "from", "to");

    static final List<String> PAGING = List.of("cursor", "limit");
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private ApiQueries() {}

    /** The jobs a request asks for: its filters and, when {@code paged}, its cursor and limit. */
    static JobQuery jobQuery(Message request, boolean paged) {
        return jobQuery(name -> request.getHeader(name, String.class), paged);
    }

    /**
     * The jobs these parameters ask for (by name, null when absent): a request's, or the filters a
     * bulk operation kept.
     */
    static JobQuery jobQuery(UnaryOperator<String> parameter, boolean paged) {
        String q = parameter.apply("q");
        return new JobQuery(
                text("orderId", parameter.apply("orderId"), 64),
                status(parameter.apply("status")),
                priority(parameter.apply("priority")),
                text("errorCode", parameter.apply("errorCode"), 64),
                text("stick", parameter.apply("stick"), 255),
                text("q", q == null ? null : q.strip(), 255),
                time("from", parameter.apply("from")),
                time("to", parameter.apply("to")),
                paged ? cursor(parameter.apply("cursor")) : null,
                paged ? limit(parameter.apply("limit"), DEFAULT_LIMIT, MAX_LIMIT) : 0);
    }

    /** The value, or null when it is absent or blank; a longer one is refused. */
    static String text(String field, String value, int maxLength) {
        if (isBlank(value)) {
            return null;
        }
        if (value.length() > maxLength) {
            throw ApiProblem.badRequest(field, "has at most " + maxLength + " characters");
        }
        return value;
    }

    /** A page size from 1 to {@code max}; {@code byDefault} when absent. */
    static int limit(String value, int byDefault, int max) {
        if (isBlank(value)) {
            return byDefault;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badRequest("limit", "must be a whole number from 1 to " + max);
    }

    /** A line id a page gave out (0 when absent: from the start). */
    static long lineId(String field, String value) {
        if (isBlank(value)) {
            return 0;
        }
        try {
            long id = Long.parseLong(value);
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badRequest(
                field, "must be the id of a log line (a whole number, 0 or more)");
    }

    /** true or false; {@code byDefault} when absent. */
    static boolean flag(String field, String value, boolean byDefault) {
        if (isBlank(value)) {
            return byDefault;
        }
        if (value.equals("true") || value.equals("false")) {
            return Boolean.parseBoolean(value);
        }
        throw ApiProblem.badRequest(field, "must be true or false");
    }

    private static JobStatus status(String value) {
        if (isBlank(value)) {
            return null;
        }
        try {
            return JobStatus.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("status", "must be one of " + List.of(JobStatus.values()));
        }
    }

    private static String priority(String value) {
        if (isBlank(value)) {
            return null;
        }
        for (Priority priority : Priority.values()) {
            if (priority.label().equals(value)) {
                return value;
            }
        }
        throw ApiProblem.badRequest("priority", "must be one of low, normal, high");
    }

    private static Instant time(String field, String value) {
        if (isBlank(value)) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest(
                    field,
                    "must be an ISO-8601 timestamp with an offset, such as 2026-11-22T10:00:00Z");
        }
    }

    private static JobCursor cursor(String value) {
        if (isBlank(value)) {
            return null;
        }
        return JobCursor.decode(value)
                .orElseThrow(
                        () ->
                                ApiProblem.badRequest(
                                        "cursor",
                                        "is not a cursor this API gave out (nextCursor of a page)"));
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
