package shop.usb.pipeline.intake.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import shop.usb.pipeline.intake.FieldError;

/**
 * A JSON manifest: an array of order confirmations, or an object whose "orders" field is one (other
 * fields are ignored). The array is streamed: one confirmation is in memory at a time, and one that
 * takes more bytes than a confirmation may (pipeline.intake.max-bytes) is skipped unread, as
 * broken.
 */
final class JsonManifestReader implements ManifestReader {

    private static final String SHAPE =
            "a JSON manifest is an array of order confirmations or {\"orders\": [...]}";

    private final JsonParser parser;
    private final long maxOrderBytes;
    private final boolean wrapped;
    private boolean finished;

    JsonManifestReader(InputStream in, ObjectMapper mapper, long maxOrderBytes) {
        this.maxOrderBytes = maxOrderBytes;
        try {
            this.parser = mapper.createParser(in);
            JsonToken first = parser.nextToken();
            if (first == JsonToken.START_ARRAY) {
                wrapped = false;
            } else if (first == JsonToken.START_OBJECT) {
                wrapped = true;
                findOrders();
            } else {
                throw new ManifestUnreadableException(line(), SHAPE);
            }
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    @Override
    public ManifestEntry read() {
        if (finished) {
            return null;
        }
        try {
            JsonToken token = parser.nextToken();
            if (token == JsonToken.END_ARRAY) {
                finish();
                return null;
            }
            if (token == null) {
                throw new ManifestUnreadableException(
                        line(), "the file ends inside the orders array");
            }
            int line = line();
            JsonNode node = boundedValue();
            if (node == null) {
                return ManifestEntry.tooLarge(
                        line,
                        "this order takes more than "
                                + maxOrderBytes
                                + " bytes (pipeline.intake.max-bytes); it was skipped unread");
            }
            JsonNode id = node.path("orderId");
            String orderId = id.isTextual() && !id.asText().isEmpty() ? id.asText() : null;
            if (!node.isObject()) {
                return ManifestEntry.broken(
                        line, null, List.of(new FieldError("$", "must be a JSON object")));
            }
            return ManifestEntry.of(line, orderId, node);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /**
     * The value at the current token as a tree, or null when it runs past maxOrderBytes: the rest
     * of it is then skipped token by token, never held.
     */
    private JsonNode boundedValue() throws IOException {
        long start = parser.currentTokenLocation().getByteOffset();
        TokenBuffer copy = new TokenBuffer(parser);
        int depth = 0;
        do {
            JsonToken token = parser.currentToken();
            depth += token.isStructStart() ? 1 : token.isStructEnd() ? -1 : 0;
            if (parser.currentLocation().getByteOffset() - start > maxOrderBytes) {
                skipRest(depth);
                return null;
            }
            try {
                copy.copyCurrentEvent(parser);
            } catch (StreamConstraintsException tooLong) {
                // One string longer than a whole confirmation may be: the parser skips its rest
                // unread.
                skipRest(depth);
                return null;
            }
        } while (depth > 0 && parser.nextToken() != null);
        try (JsonParser buffered = copy.asParser()) {
            return buffered.readValueAsTree();
        }
    }

    private void skipRest(int depth) throws IOException {
        while (depth > 0) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new ManifestUnreadableException(line(), "the file ends inside an order");
            }
            depth += token.isStructStart() ? 1 : token.isStructEnd() ? -1 : 0;
        }
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }

    private void findOrders() throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("orders".equals(name)) {
                if (value != JsonToken.START_ARRAY) {
                    throw new ManifestUnreadableException(line(), "\"orders\" must be an array");
                }
                return;
            }
            parser.skipChildren();
        }
        throw new ManifestUnreadableException(line(), SHAPE + "; this object has no \"orders\"");
    }

    /**
     * After the array: the rest of the document must still be well-formed, and nothing may follow
     * it.
     */
    private void finish() throws IOException {
        if (wrapped) {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                if ("orders".equals(parser.currentName())) {
                    throw new ManifestUnreadableException(line(), "\"orders\" appears twice");
                }
                parser.nextToken();
                parser.skipChildren();
            }
        }
        if (parser.nextToken() != null) {
            throw new ManifestUnreadableException(line(), "unexpected content after the orders");
        }
        finished = true;
    }

    private int line() {
        return parser.currentTokenLocation().getLineNr();
    }

    private ManifestUnreadableException unreadable(IOException e) {
        String reason =
                e instanceof JsonProcessingException json
                        ? json.getOriginalMessage()
                        : e.toString();
        int line =
                e instanceof JsonProcessingException json && json.getLocation() != null
                        ? json.getLocation().getLineNr()
                        : 0;
        return new ManifestUnreadableException(line, "not valid JSON: " + reason, e);
    }
}
