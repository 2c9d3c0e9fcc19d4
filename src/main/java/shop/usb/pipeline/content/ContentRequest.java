package shop.usb.pipeline.content;

/**
 * One requested entry of an order: a library folder taken recursively, or a single file; {@code
 * field} names it in the confirmation (content[1].file) for errors.
 */
public record ContentRequest(Kind kind, String path, String field) {
    public enum Kind {
        COLLECTION,
        FILE
    }
}
