package shop.usb.pipeline.job;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Optional;

/**
 * Where a page of jobs ended: the creation time and id of its last job (jobs are listed newest
 * first). Opaque to clients; they pass back what they were given.
 */
public record JobCursor(Instant createdAt, String id) {

    public String encode() {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((createdAt + "|" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor a client sent, or empty when it is not one this product made. */
    public static Optional<JobCursor> decode(String text) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            int bar = plain.indexOf('|');
            if (bar < 0) {
                return Optional.empty();
            }
            return Optional.of(
                    new JobCursor(
                            Instant.parse(plain.substring(0, bar)), plain.substring(bar + 1)));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
