package shop.usb.pipeline.content;

import java.nio.charset.StandardCharsets;

/** Names measured as filesystems measure them: in bytes of UTF-8. */
public final class Utf8 {

    private Utf8() {}

    /** At most {@code maxBytes} bytes of UTF-8, never cutting a character in two. */
    public static String cut(String text, int maxBytes) {
        StringBuilder kept = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            int size =
                    new String(Character.toChars(codePoint))
                            .getBytes(StandardCharsets.UTF_8)
                            .length;
            if (bytes + size > maxBytes) {
                break;
            }
            kept.appendCodePoint(codePoint);
            bytes += size;
            i += Character.charCount(codePoint);
        }
        return kept.toString();
    }
}
