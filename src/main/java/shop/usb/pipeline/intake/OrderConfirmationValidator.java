package shop.usb.pipeline.intake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import shop.usb.pipeline.content.ContentRequest;
import shop.usb.pipeline.content.OrderLimits;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.intake.OrderConfirmation.Priority;

/**
 * Checks a confirmation against the message contract (config/order-confirmation.schema.json) and
 * names every failing field. Whether the content exists is the validate stage's business.
 */
public class OrderConfirmationValidator {

    public static final String BEAN_NAME = "orderConfirmationValidator";

    /**
     * The mapper confirmations are read with. They are shallow: deeper nesting, or a string longer
     * than a whole confirmation may be ({@code maxBytes}), is refused while parsing, before it is
     * held.
     */
    public static ObjectMapper parser(long maxBytes) {
        return JsonMapper.builder(
                        JsonFactory.builder()
                                .streamReadConstraints(
                                        StreamReadConstraints.builder()
                                                .maxNestingDepth(MAX_JSON_DEPTH)
                                                .maxStringLength((int) maxBytes)
                                                .build())
                                .build())
                .build();
    }

    private static final Pattern ORDER_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** Names FAT keeps for devices, whatever the case or extension (CON, NUL.txt, com1). */
    private static final Pattern FAT_DEVICE_NAME =
            Pattern.compile("(?i)CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9]");

    /** What the slot and job rows keep of a label (VARCHAR(64)). */
    private static final int MAX_LABEL_CHARS = 64;

    private static final int MAX_JSON_DEPTH = 32;

    private static final Pattern UNSAFE_PATH_CHARS = Pattern.compile("[\\p{Cntrl}\\\\]");

    /**
     * RFC 3339's date-time, as the schema's pattern for confirmedAt: seconds and offset required.
     */
    private static final Pattern TIMESTAMP =
            Pattern.compile(
                    "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})");

    private final ObjectMapper mapper;
    private final int maxContentEntries;

    public OrderConfirmationValidator(ObjectMapper mapper, OrderLimits limits) {
        this.mapper = mapper;
        this.maxContentEntries = limits.maxContentEntries();
    }

    /** Parses JSON text; anything else is a NOT_JSON failure. */
    public JsonNode parse(String text) {
        try {
            JsonNode root = mapper.readTree(text);
            if (root == null || root.isMissingNode()) {
                throw new JobFailure(ErrorCode.NOT_JSON, "The message body is empty");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new JobFailure(
                    ErrorCode.NOT_JSON, "The message body is not JSON: " + e.getOriginalMessage());
        }
    }

    /** The orderId, when the document has one that is safe to key a job and a folder by. */
    public static Optional<String> usableOrderId(JsonNode root) {
        JsonNode id = root.path("orderId");
        return id.isTextual() && isSafeOrderId(id.asText())
                ? Optional.of(id.asText())
                : Optional.empty();
    }

    /** The priority to file the job under before validation: the requested one when valid. */
    public static Priority priorityOrDefault(JsonNode root) {
        Priority priority = priority(root, new ArrayList<>());
        return priority == null ? Priority.NORMAL : priority;
    }

    /**
     * The customer's name as search matches it (lower-cased, at most 200 characters), or null: read
     * before validation, so anything but a text is no name.
     */
    public static String customerKey(JsonNode root) {
        JsonNode name = root == null ? null : root.path("customer").path("name");
        if (name == null || !name.isTextual() || name.asText().isBlank()) {
            return null;
        }
        String key = name.asText().strip().toLowerCase(Locale.ROOT);
        return key.length() > 200 ? key.substring(0, 200) : key;
    }

    public OrderConfirmation validate(String json) {
        return validate(parse(json));
    }

    public OrderConfirmation validate(JsonNode root) {
        List<FieldError> errors = new ArrayList<>();
        if (!root.isObject()) {
            throw new InvalidOrderException(List.of(new FieldError("$", "must be a JSON object")));
        }
        String orderId = orderId(root, errors);
        OffsetDateTime confirmedAt = confirmedAt(root, errors);
        Priority priority = priority(root, errors);
        String customerName = customerName(root.path("customer"), errors);
        long capacityBytes = 0;
        String label = null;
        JsonNode usb = root.path("usb");
        if (!usb.isObject()) {
            errors.add(new FieldError("usb", "is required and must be an object"));
        } else {
            capacityBytes = capacityBytes(usb, errors);
            label = optionalText(usb, "label", "usb.label", errors);
            if (label != null && label.length() > MAX_LABEL_CHARS) {
                errors.add(
                        new FieldError(
                                "usb.label",
                                "must be at most "
                                        + MAX_LABEL_CHARS
                                        + " characters, not "
                                        + label.length()));
            }
        }
        List<ContentRequest> content = content(root.path("content"), maxContentEntries, errors);
        if (!errors.isEmpty()) {
            throw new InvalidOrderException(errors);
        }
        return new OrderConfirmation(
                orderId, confirmedAt, priority, customerName, capacityBytes, label, content);
    }

    private static boolean isSafeOrderId(String id) {
        // "." and ".." match the pattern but would name the mount itself or its parent as the job
        // folder.
        return ORDER_ID.matcher(id).matches() && !id.equals(".") && !id.equals("..");
    }

    /**
     * Why an order id, safe as a key, cannot name an order's folder on a stick, or null: a hidden
     * name (sticks keep their housekeeping under such names, .Trashes, .fseventsd, which a blank
     * check overlooks), a trailing dot (FAT drops it), or a name FAT reserves for a device.
     */
    private static String unfitForAStick(String id) {
        if (id.startsWith(".")) {
            return "must not start with '.': a stick's housekeeping has such names (.Trashes)";
        }
        if (id.endsWith(".")) {
            return "must not end with '.', which FAT drops from a name";
        }
        String base = id.contains(".") ? id.substring(0, id.indexOf('.')) : id;
        if (FAT_DEVICE_NAME.matcher(base).matches()) {
            return "must not be '" + base + "', a name FAT reserves for a device";
        }
        return null;
    }

    private static String orderId(JsonNode root, List<FieldError> errors) {
        JsonNode id = root.path("orderId");
        if (!id.isTextual()) {
            errors.add(new FieldError("orderId", "is required and must be a string"));
            return null;
        }
        if (!isSafeOrderId(id.asText())) {
            errors.add(
                    new FieldError(
                            "orderId", "must match [A-Za-z0-9._-]{1,64} and not be '.' or '..'"));
            return null;
        }
        String unfit = unfitForAStick(id.asText());
        if (unfit != null) {
            errors.add(new FieldError("orderId", unfit));
            return null;
        }
        return id.asText();
    }

    private static OffsetDateTime confirmedAt(JsonNode root, List<FieldError> errors) {
        JsonNode value = root.path("confirmedAt");
        if (!value.isTextual()) {
            errors.add(
                    new FieldError(
                            "confirmedAt", "is required and must be an ISO-8601 timestamp string"));
            return null;
        }
        try {
            if (TIMESTAMP.matcher(value.asText()).matches()) {
                return OffsetDateTime.parse(value.asText());
            }
        } catch (DateTimeParseException e) {
            // answered below: the date or time does not exist
        }
        errors.add(
                new FieldError(
                        "confirmedAt",
                        "must be an RFC 3339 timestamp with seconds and an offset, such as"
                                + " 2026-11-22T10:00:00Z"));
        return null;
    }

    /** The customer is optional; when given, an object whose name and phone are strings. */
    private static String customerName(JsonNode customer, List<FieldError> errors) {
        if (customer.isMissingNode() || customer.isNull()) {
            return null;
        }
        if (!customer.isObject()) {
            errors.add(new FieldError("customer", "must be an object"));
            return null;
        }
        optionalText(customer, "phone", "customer.phone", errors);
        return optionalText(customer, "name", "customer.name", errors);
    }

    private static Priority priority(JsonNode root, List<FieldError> errors) {
        JsonNode value = root.path("priority");
        if (value.isMissingNode() || value.isNull()) {
            return Priority.NORMAL;
        }
        if (value.isTextual()) {
            for (Priority p : Priority.values()) {
                if (p.label().equals(value.asText())) {
                    return p;
                }
            }
        }
        errors.add(new FieldError("priority", "must be one of low, normal, high"));
        return null;
    }

    private static long capacityBytes(JsonNode usb, List<FieldError> errors) {
        JsonNode value = usb.path("capacityBytes");
        // A whole number, however written (1.0 is one, as JSON Schema's integer says).
        if (!value.isNumber()
                || !value.canConvertToExactIntegral()
                || !value.canConvertToLong()
                || value.asLong() <= 0) {
            errors.add(
                    new FieldError(
                            "usb.capacityBytes",
                            "is required and must be a whole number greater than 0"));
            return 0;
        }
        return value.asLong();
    }

    private static String optionalText(
            JsonNode parent, String name, String field, List<FieldError> errors) {
        JsonNode value = parent.path(name);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            errors.add(new FieldError(field, "must be a string"));
            return null;
        }
        return value.asText();
    }

    /**
     * The content requests, each once: a repeated entry is merged into the first before the library
     * is walked.
     */
    private static List<ContentRequest> content(
            JsonNode content, int maxEntries, List<FieldError> errors) {
        if (!content.isArray() || content.isEmpty()) {
            errors.add(new FieldError("content", "is required and must hold at least one entry"));
            return List.of();
        }
        List<ContentRequest> requests = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < content.size(); i++) {
            String field = "content[" + i + "]";
            JsonNode entry = content.get(i);
            boolean hasCollection = entry.has("collection");
            boolean hasFile = entry.has("file");
            if (!entry.isObject() || hasCollection == hasFile) {
                if (!FieldError.add(
                        errors,
                        new FieldError(
                                field,
                                "must be an object with exactly one of collection or file"))) {
                    break;
                }
                continue;
            }
            ContentRequest.Kind kind =
                    hasCollection ? ContentRequest.Kind.COLLECTION : ContentRequest.Kind.FILE;
            String key = kind.name().toLowerCase(Locale.ROOT);
            JsonNode path = entry.get(key);
            if (!path.isTextual() || path.asText().isBlank()) {
                if (!FieldError.add(
                        errors,
                        new FieldError(field + "." + key, "must be a non-empty relative path"))) {
                    break;
                }
            } else if (UNSAFE_PATH_CHARS.matcher(path.asText()).find()) {
                if (!FieldError.add(
                        errors,
                        new FieldError(
                                field + "." + key,
                                "must not contain control characters or backslashes"))) {
                    break;
                }
            } else if (seen.add(key + ":" + path.asText())) {
                if (requests.size() == maxEntries) {
                    throw JobFailure.ofField(
                            ErrorCode.TOO_MANY_CONTENT_ENTRIES,
                            "content",
                            "holds more than "
                                    + maxEntries
                                    + " different entries; an order may hold at most "
                                    + maxEntries
                                    + " (pipeline.order.max-content-entries)");
                }
                requests.add(new ContentRequest(kind, path.asText(), field + "." + key));
            }
        }
        return requests;
    }
}
