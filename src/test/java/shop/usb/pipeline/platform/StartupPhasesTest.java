package shop.usb.pipeline.platform;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The startup line the benchmark reads: every phase, adding up to the whole. */
class StartupPhasesTest {

    private static final Pattern SECONDS = Pattern.compile("(\\d+\\.\\d{2}) s");

    @Test
    void aStartLogsItsPhasesWhichAddUpToTheWhole() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(StartupPhases.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            StartupPhases phases = StartupPhases.begin(context);
            phases.configured();
            context.addRoutes(
                    new RouteBuilder() {
                        @Override
                        public void configure() {
                            from("direct:a").routeId("a").log("a");
                        }
                    });
            context.start();
        } finally {
            logger.detachAppender(lines);
        }

        List<String> startup =
                lines.list.stream()
                        .map(ILoggingEvent::getFormattedMessage)
                        .filter(line -> line.startsWith(StartupPhases.LOG_PREFIX))
                        .toList();
        assertThat(startup).hasSize(1);
        Matcher figures = SECONDS.matcher(startup.get(0));
        List<Double> seconds = figures.results().map(r -> Double.valueOf(r.group(1))).toList();
        assertThat(seconds).hasSize(6).allSatisfy(s -> assertThat(s).isNotNegative());
        double phases = seconds.subList(1, 6).stream().mapToDouble(Double::doubleValue).sum();
        assertThat(phases)
                .as("the phases of " + startup.get(0))
                .isCloseTo(seconds.get(0), org.assertj.core.data.Offset.offset(0.03));
    }
}
