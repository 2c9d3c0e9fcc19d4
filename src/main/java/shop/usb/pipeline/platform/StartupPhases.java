package shop.usb.pipeline.platform;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.Type;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a start's time goes, logged once the routes have started: from the JVM's start to this
 * configuration, the configuration (settings, station, infrastructure, beans), reading the routes,
 * building them, and starting the services (web servers, management) and routes. The benchmark
 * prints each phase, so that the next regression shows where it is.
 */
final class StartupPhases extends SimpleEventNotifierSupport {

    static final String LOG_PREFIX = "Startup phases:";
    private static final Logger LOG = LoggerFactory.getLogger(StartupPhases.class);

    private final long jvmStarted = ManagementFactory.getRuntimeMXBean().getStartTime();
    private final long configurationBegan = System.currentTimeMillis();
    private long configured;
    private long initializing;
    private long initialized;

    /** Begins timing at the configuration's start; the phases end with the context's events. */
    static StartupPhases begin(CamelContext context) {
        StartupPhases phases = new StartupPhases();
        // Context events only: a notifier that took exchange events would cost every message.
        phases.setIgnoreExchangeEvents(true);
        phases.setIgnoreRouteEvents(true);
        phases.setIgnoreServiceEvents(true);
        phases.setIgnoreStepEvents(true);
        phases.setIgnoreCamelContextInitEvents(false);
        phases.setIgnoreCamelContextEvents(false);
        context.getManagementStrategy().addEventNotifier(phases);
        return phases;
    }

    void configured() {
        configured = System.currentTimeMillis();
    }

    @Override
    public void notify(CamelEvent event) {
        long now = System.currentTimeMillis();
        Type type = event.getType();
        if (type == Type.CamelContextInitializing) {
            initializing = now;
        } else if (type == Type.CamelContextInitialized) {
            initialized = now;
        } else if (type == Type.CamelContextStarted) {
            LOG.info(
                    "{} {} s from the JVM's start to the routes started: JVM and camel-main {}"
                            + " s, configuration {} s, routes read {} s, routes built {} s,"
                            + " services and routes started {} s",
                    LOG_PREFIX,
                    seconds(jvmStarted, now),
                    seconds(jvmStarted, configurationBegan),
                    seconds(configurationBegan, configured),
                    seconds(configured, initializing),
                    seconds(initializing, initialized),
                    seconds(initialized, now));
        }
    }

    private static String seconds(long from, long to) {
        return String.format(Locale.ROOT, "%.2f", (to - from) / 1000.0);
    }
}
