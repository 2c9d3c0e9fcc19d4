package shop.usb.pipeline.platform;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.camel.CamelContext;
import shop.usb.pipeline.content.OrderLimits;
import shop.usb.pipeline.health.HealthThresholds;
import shop.usb.pipeline.job.RetryPolicy;
import shop.usb.pipeline.ops.ApiTokens;
import shop.usb.pipeline.ops.LiveEvents;

/**
 * The product's own settings, read once from Camel's properties (files, -D, environment). One
 * record per concern, each read by its own factory next to its declaration, so every value is taken
 * by its key where it is placed.
 */
public record PipelineSettings(
        String instanceId,
        Folders folders,
        boolean demoEnabled,
        Duration progressInterval,
        Broker broker,
        DatabaseConnection database,
        Intake intake,
        UsbSettings usb,
        StickSettings sticks,
        RetryPolicy retryPolicy,
        Recovery recovery,
        Retention retention,
        WebhookSettings webhook,
        Api api,
        HealthThresholds health) {

    public static final String BEAN_NAME = "pipelineSettings";

    public static PipelineSettings from(CamelContext context) {
        requireProfileFile(context);
        SettingsReader read = new SettingsReader(context.getPropertiesComponent());
        if (Boolean.parseBoolean(read.optional("pipeline.production"))) {
            ProductionSecrets.require(read);
        }
        Folders folders = Folders.from(read);
        return new PipelineSettings(
                instanceId(read),
                folders,
                read.flag("pipeline.demo.enabled"),
                read.duration("pipeline.progress.interval"),
                Broker.from(read),
                DatabaseConnection.from(read),
                Intake.from(read),
                UsbSettings.from(read, folders.dataDir()),
                StickSettings.from(read),
                retryPolicy(read),
                Recovery.from(read),
                Retention.from(read),
                WebhookSettings.from(read),
                Api.from(read),
                healthThresholds(read));
    }

    /** Where the product keeps its state, reads its library and takes manifests from. */
    public record Folders(Path dataDir, Path contentDir, Path manifestDir) {
        private static Folders from(SettingsReader read) {
            return new Folders(
                    read.path("pipeline.data.dir"),
                    read.path("pipeline.content.dir"),
                    read.path("pipeline.manifest.dir"));
        }
    }

    /**
     * The broker the routes use, and whether it runs in this process; {@code accounts} are the
     * embedded broker's other accounts.
     */
    public record Broker(
            boolean embedded,
            String url,
            String user,
            String password,
            BrokerAccounts accounts,
            int maxConnections) {
        private static Broker from(SettingsReader read) {
            return new Broker(
                    read.flag("pipeline.broker.embedded"),
                    read.required("pipeline.broker.url"),
                    read.optional("pipeline.broker.user"),
                    read.optional("pipeline.broker.password"),
                    BrokerAccounts.from(read),
                    read.integer("pipeline.broker.max-connections"));
        }
    }

    /**
     * The embedded broker's other accounts: a producer that may only send confirmations, a shop
     * that may only listen to status events, and an administrator who may manage the broker. An
     * account without a password is not created.
     */
    public record BrokerAccounts(
            String producerUser,
            String producerPassword,
            String shopUser,
            String shopPassword,
            String adminUser,
            String adminPassword) {
        private static BrokerAccounts from(SettingsReader read) {
            return new BrokerAccounts(
                    read.optional("pipeline.broker.producer.user"),
                    read.optional("pipeline.broker.producer.password"),
                    read.optional("pipeline.broker.shop.user"),
                    read.optional("pipeline.broker.shop.password"),
                    read.optional("pipeline.broker.admin.user"),
                    read.optional("pipeline.broker.admin.password"));
        }
    }

    /** The connection pool's database and how long its callers may wait on it. */
    public record DatabaseConnection(
            String url,
            String user,
            String password,
            int poolSize,
            Duration connectionTimeout,
            Duration socketTimeout) {
        private static DatabaseConnection from(SettingsReader read) {
            return new DatabaseConnection(
                    read.required("pipeline.db.url"),
                    read.optional("pipeline.db.user"),
                    read.optional("pipeline.db.password"),
                    read.integer("pipeline.db.pool-size"),
                    read.duration("pipeline.db.connection-timeout"),
                    read.duration("pipeline.db.socket-timeout"));
        }
    }

    /** How large a confirmation may be, and what one order may ask for. */
    public record Intake(long maxBytes, OrderLimits orderLimits) {
        private static Intake from(SettingsReader read) {
            return new Intake(
                    read.number("pipeline.intake.max-bytes"),
                    new OrderLimits(
                            read.integer("pipeline.order.max-content-entries"),
                            read.integer("pipeline.order.max-files"),
                            read.number("pipeline.order.max-bytes")));
        }
    }

    /**
     * When a PROCESSING job counts as dead, and when a waiting job's job message counts as lost.
     */
    public record Recovery(
            Duration stalledAfter, Duration overdueAfter, Duration queuedOverdueAfter) {
        private static Recovery from(SettingsReader read) {
            return new Recovery(
                    read.duration("pipeline.stalled.after"),
                    read.duration("pipeline.dispatch.overdue-after"),
                    read.duration("pipeline.dispatch.queued-overdue-after"));
        }
    }

    /**
     * How long ended jobs, the audit trail and sent status events are kept, and how many rows one
     * delete takes.
     */
    public record Retention(
            Duration jobsKeptFor, Duration auditKeptFor, Duration eventsKeptFor, int batchSize) {
        private static Retention from(SettingsReader read) {
            return new Retention(
                    read.duration("pipeline.retention"),
                    read.duration("pipeline.audit.retention"),
                    read.duration("pipeline.events.retention"),
                    read.positive("pipeline.retention.batch-size"));
        }
    }

    /**
     * Who may call the API, under which host names, how many jobs a bulk operation changes per
     * batch, and after how long without a batch it is taken up again.
     */
    public record Api(
            ApiTokens tokens,
            boolean tokenForReads,
            List<String> allowedHosts,
            int bulkBatchSize,
            Duration bulkResumeAfter,
            LiveEvents.StreamLimits events) {
        private static Api from(SettingsReader read) {
            // pipeline.events.* now configures the status events; an old key must not go unheard.
            for (String renamed :
                    List.of(
                            "poll-interval",
                            "max-streams",
                            "max-streams-per-client",
                            "stream-lifetime")) {
                if (!read.optional("pipeline.events." + renamed).isEmpty()) {
                    throw new IllegalStateException(
                            "pipeline.events."
                                    + renamed
                                    + " is now pipeline.live-events."
                                    + renamed
                                    + " (pipeline.events.* configures the status events)");
                }
            }
            return new Api(
                    ApiTokens.parse(
                            read.optional("pipeline.api.token"),
                            read.optional("pipeline.api.tokens")),
                    read.flag("pipeline.api.token-for-reads"),
                    SettingsReader.items(read.required("pipeline.http.allowed-hosts")),
                    read.positive("pipeline.bulk.batch-size"),
                    read.atLeast("pipeline.bulk.resume-after", Duration.ofSeconds(1)),
                    new LiveEvents.StreamLimits(
                            read.positive("pipeline.live-events.max-streams"),
                            read.positive("pipeline.live-events.max-streams-per-client"),
                            read.atLeast(
                                    "pipeline.live-events.stream-lifetime",
                                    Duration.ofSeconds(1))));
        }
    }

    private static RetryPolicy retryPolicy(SettingsReader read) {
        return new RetryPolicy(
                read.integer("pipeline.retry.max-attempts"),
                SettingsReader.items(read.optional("pipeline.retry.delays")).stream()
                        .map(SettingsReader::toDuration)
                        .toList(),
                read.duration("pipeline.retry.initial-delay"),
                read.fraction("pipeline.retry.multiplier"),
                read.duration("pipeline.retry.max-delay"),
                read.fraction("pipeline.retry.jitter"));
    }

    private static HealthThresholds healthThresholds(SettingsReader read) {
        return new HealthThresholds(
                read.fraction("pipeline.health.success-rate.degraded-below"),
                read.fraction("pipeline.health.success-rate.unhealthy-below"),
                read.number("pipeline.health.stalled.degraded-above"),
                read.number("pipeline.health.stalled.unhealthy-above"),
                read.number("pipeline.health.backlog.degraded-above"),
                read.duration("pipeline.health.oldest-queued.degraded-after"),
                read.duration("pipeline.stalled.after"));
    }

    /**
     * camel-main reads application-{profile}.properties only when it exists: a misspelled profile
     * would start on the embedded defaults.
     */
    private static void requireProfileFile(CamelContext context) {
        String profile = context.getCamelContextExtension().getProfile();
        String file = "application-" + profile + ".properties";
        if (profile != null && context.getClassResolver().loadResourceAsURL(file) == null) {
            throw new IllegalStateException(
                    "camel.main.profile is '" + profile + "', but there is no " + file);
        }
    }

    /**
     * This instance's id: it keys the station's slots and leases and goes into a JMS selector (a
     * job kept for a stick runs on its station), so it is a plain name.
     */
    private static String instanceId(SettingsReader read) {
        String id = read.required("pipeline.instance.id");
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalStateException(
                    "pipeline.instance.id must be letters, digits, '.', '_' or '-' (at most 64),"
                            + " not '"
                            + id
                            + "'");
        }
        return id;
    }
}
