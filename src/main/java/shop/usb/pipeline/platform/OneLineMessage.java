package shop.usb.pipeline.platform;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * A log message on one line: control characters (a newline in a file name from a customer's stick,
 * in a manifest's name or in a header) are written escaped, as \n, \r, \t or \\u followed by four
 * hex digits, so no outside text can forge a log line. logback.xml uses it for every message.
 */
public final class OneLineMessage extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return escaped(super.convert(event));
    }

    static String escaped(String message) {
        if (message == null || message.chars().noneMatch(OneLineMessage::isControl)) {
            return message;
        }
        StringBuilder line = new StringBuilder(message.length() + 16);
        message.chars()
                .forEach(
                        c -> {
                            switch (c) {
                                case '\n' -> line.append("\\n");
                                case '\r' -> line.append("\\r");
                                case '\t' -> line.append("\\t");
                                default -> {
                                    if (isControl(c)) {
                                        line.append(String.format("\\u%04x", c));
                                    } else {
                                        line.append((char) c);
                                    }
                                }
                            }
                        });
        return line.toString();
    }

    /** C0, DEL, C1, and the line and paragraph separators. */
    private static boolean isControl(int c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }
}
