package shop.usb.pipeline.intake.manifest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import shop.usb.pipeline.intake.FieldError;

/**
 * A CSV manifest: a header row naming the columns (any order), then one order per line. Values may
 * be quoted ("a, b", "" for a quote); a value cannot span lines. The content column lists entries
 * separated by '|', each {@code collection:PATH} or {@code file:PATH}. Text is UTF-8; each line is
 * decoded on its own, so a line that is not UTF-8 is rejected alone.
 */
final class CsvManifestReader implements ManifestReader {

    static final List<String> COLUMNS =
            List.of("orderId", "confirmedAt", "priority", "capacityBytes", "label", "content");
    private static final Set<String> REQUIRED =
            Set.of("orderId", "confirmedAt", "capacityBytes", "content");
    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private final InputStream in;
    private final ObjectMapper mapper;
    private final int maxLineBytes;
    private final CharsetDecoder utf8 =
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final List<String> header;
    private int lineNumber;

    CsvManifestReader(InputStream in, ObjectMapper mapper, int maxLineBytes) {
        this.in = new BufferedInputStream(in);
        this.mapper = mapper;
        this.maxLineBytes = maxLineBytes;
        this.header = readHeader();
    }

    /**
     * The CSV column of a confirmation field: usb.capacityBytes is capacityBytes, content[2].file
     * is content.
     */
    static String column(String confirmationField) {
        if (confirmationField.startsWith("usb.")) {
            return confirmationField.substring("usb.".length());
        }
        if (confirmationField.startsWith("content")) {
            return "content";
        }
        return confirmationField;
    }

    @Override
    public ManifestEntry read() {
        while (true) {
            Line line = nextLine();
            if (line == null) {
                return null;
            }
            if (line.problem() != null) {
                return ManifestEntry.broken(
                        line.number(), null, List.of(new FieldError("line", line.problem())));
            }
            if (!line.text().isBlank()) {
                return entry(line.number(), line.text());
            }
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private ManifestEntry entry(int number, String text) {
        List<String> cells;
        try {
            cells = cells(text);
        } catch (IllegalArgumentException e) {
            return ManifestEntry.broken(
                    number, null, List.of(new FieldError("line", e.getMessage())));
        }
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < Math.min(cells.size(), header.size()); i++) {
            values.put(header.get(i), cells.get(i));
        }
        String orderId =
                values.getOrDefault("orderId", "").isEmpty() ? null : values.get("orderId");
        if (cells.size() != header.size()) {
            return ManifestEntry.broken(
                    number,
                    orderId,
                    List.of(
                            new FieldError(
                                    "line",
                                    "has "
                                            + cells.size()
                                            + " values, the header has "
                                            + header.size()
                                            + " columns")));
        }
        List<FieldError> problems = new ArrayList<>();
        ObjectNode order = confirmation(values, problems);
        return problems.isEmpty()
                ? ManifestEntry.of(number, orderId, order)
                : ManifestEntry.broken(number, orderId, problems);
    }

    /** The line as a confirmation in the JSON contract, so one validator judges both intakes. */
    private ObjectNode confirmation(Map<String, String> values, List<FieldError> problems) {
        ObjectNode order = mapper.createObjectNode();
        putIfPresent(order, "orderId", values.get("orderId"));
        putIfPresent(order, "confirmedAt", values.get("confirmedAt"));
        putIfPresent(order, "priority", values.get("priority"));
        ObjectNode usb = order.putObject("usb");
        String capacity = values.getOrDefault("capacityBytes", "");
        if (capacity.matches("\\d{1,18}")) {
            usb.put("capacityBytes", Long.parseLong(capacity));
        } else {
            putIfPresent(usb, "capacityBytes", capacity);
        }
        putIfPresent(usb, "label", values.get("label"));
        ArrayNode content = order.putArray("content");
        String listed = values.getOrDefault("content", "");
        if (!listed.isBlank()) {
            for (String item : listed.split("\\|", -1)) {
                String entry = item.trim();
                int colon = entry.indexOf(':');
                String kind =
                        colon < 0 ? "" : entry.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                if (kind.equals("collection") || kind.equals("file")) {
                    content.addObject().put(kind, entry.substring(colon + 1).trim());
                } else if (!FieldError.add(
                        problems,
                        new FieldError(
                                "content",
                                "'"
                                        + entry
                                        + "' must be collection:PATH or file:PATH, entries separated by |"))) {
                    break;
                }
            }
        }
        return order;
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null && !value.isEmpty()) {
            node.put(field, value);
        }
    }

    private List<String> readHeader() {
        Line first;
        do {
            first = nextLine();
            if (first == null) {
                throw new ManifestUnreadableException(lineNumber, "the file has no header row");
            }
        } while (first.problem() == null && first.text().isBlank());
        if (first.problem() != null) {
            throw new ManifestUnreadableException(first.number(), "header row: " + first.problem());
        }
        String text =
                first.text().charAt(0) == BYTE_ORDER_MARK
                        ? first.text().substring(1)
                        : first.text();
        List<String> names;
        try {
            names = cells(text);
        } catch (IllegalArgumentException e) {
            throw new ManifestUnreadableException(first.number(), "header row: " + e.getMessage());
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String name : names) {
            if (!COLUMNS.contains(name)) {
                throw new ManifestUnreadableException(
                        first.number(),
                        "header row: unknown column '" + name + "'; the columns are " + COLUMNS);
            }
            if (!seen.add(name)) {
                throw new ManifestUnreadableException(
                        first.number(), "header row: column '" + name + "' twice");
            }
        }
        if (!seen.containsAll(REQUIRED)) {
            Set<String> missing = new LinkedHashSet<>(REQUIRED);
            missing.removeAll(seen);
            throw new ManifestUnreadableException(
                    first.number(),
                    "header row: missing column(s) " + missing + "; the columns are " + COLUMNS);
        }
        return List.copyOf(names);
    }

    /** Splits one line into values; unquoted values are trimmed. */
    static List<String> cells(String line) {
        List<String> cells = new ArrayList<>();
        int i = 0;
        int length = line.length();
        while (true) {
            while (i < length && line.charAt(i) == ' ') {
                i++;
            }
            StringBuilder cell = new StringBuilder();
            if (i < length && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= length) {
                        throw new IllegalArgumentException(
                                "a quoted value is not closed (values cannot span lines)");
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < length && line.charAt(i) == '"') {
                            cell.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        cell.append(c);
                    }
                }
                while (i < length && line.charAt(i) == ' ') {
                    i++;
                }
                if (i < length && line.charAt(i) != ',') {
                    throw new IllegalArgumentException(
                            "text after the closing quote of value " + (cells.size() + 1));
                }
                cells.add(cell.toString());
            } else {
                while (i < length && line.charAt(i) != ',') {
                    cell.append(line.charAt(i++));
                }
                cells.add(cell.toString().trim());
            }
            if (i >= length) {
                return cells;
            }
            i++; // the comma
        }
    }

    /**
     * The next physical line, at most maxLineBytes kept; a longer one is read to its end and
     * marked.
     */
    private Line nextLine() {
        try {
            bytes.reset();
            boolean tooLong = false;
            int b = in.read();
            if (b == -1) {
                return null;
            }
            while (b != -1 && b != '\n') {
                if (bytes.size() < maxLineBytes) {
                    bytes.write(b);
                } else {
                    tooLong = true;
                }
                b = in.read();
            }
            lineNumber++;
            if (tooLong) {
                return new Line(lineNumber, "", "is longer than " + maxLineBytes + " bytes");
            }
            String text = utf8.decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
            return new Line(
                    lineNumber,
                    text.endsWith("\r") ? text.substring(0, text.length() - 1) : text,
                    null);
        } catch (CharacterCodingException e) {
            return new Line(lineNumber, "", "is not UTF-8 text");
        } catch (IOException e) {
            throw new ManifestUnreadableException(
                    lineNumber + 1, "the file cannot be read: " + e, e);
        }
    }

    /** One line of text, or the problem that kept it from being read as text. */
    private record Line(int number, String text, String problem) {}
}
