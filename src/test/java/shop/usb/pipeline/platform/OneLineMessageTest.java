package shop.usb.pipeline.platform;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A name from outside (a file on a returned stick) cannot forge a line of the product's log. */
class OneLineMessageTest {

    private static final LoggerContext LOGS = (LoggerContext) LoggerFactory.getILoggerFactory();

    @Test
    void theConfiguredLogWritesANewlineInANameEscaped() {
        String written =
                asWritten(
                        new LoggingEvent(
                                getClass().getName(),
                                LOGS.getLogger("shop.usb.pipeline.station.StationWatch"),
                                Level.WARN,
                                "Slot {}: stick cannot be used: {}",
                                null,
                                new Object[] {
                                    "slot-1",
                                    "holds a\n12:00:00.000 INFO  [main] forged - all is well"
                                }));

        assertThat(written.lines()).hasSize(1);
        assertThat(written).contains("holds a\\n12:00:00.000 INFO  [main] forged");
    }

    @Test
    void anExceptionsMessageIsEscapedAndItsStackKept() {
        String written =
                asWritten(
                        new LoggingEvent(
                                getClass().getName(),
                                LOGS.getLogger("shop.usb.pipeline.transfer.UsbVerifier"),
                                Level.ERROR,
                                "Reading back failed",
                                new IllegalStateException(
                                        "no such file a\n12:00:00.000 INFO  [main] forged",
                                        new java.io.IOException("b\rc")),
                                null));

        assertThat(written)
                .contains("IllegalStateException: no such file a\\n12:00:00.000 INFO")
                .contains("Caused by: java.io.IOException: b\\rc")
                .contains("\tat shop.usb.pipeline.platform.OneLineMessageTest");
        assertThat(written.lines()).noneMatch(line -> line.startsWith("12:00:00.000"));
    }

    /** The event as logback.xml's console appender writes it. */
    private static String asWritten(LoggingEvent event) {
        OutputStreamAppender<ILoggingEvent> console =
                (OutputStreamAppender<ILoggingEvent>)
                        LOGS.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("console");
        return new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void everyControlCharacterIsEscapedAndTheRestKept() {
        assertThat(OneLineMessage.escaped("a\rb\tc\u0085d\u2028e\u001bf é ü 日本"))
                .isEqualTo("a\\rb\\tc\\u0085d\\u2028e\\u001bf é ü 日本");
        assertThat(OneLineMessage.escaped("plain")).isEqualTo("plain");
    }
}
