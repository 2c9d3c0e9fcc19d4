package shop.usb.pipeline.platform;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.util.TimeUtils;
import shop.usb.pipeline.content.OrderLimits;
import shop.usb.pipeline.device.SlotKind;
import shop.usb.pipeline.health.HealthThresholds;
import shop.usb.pipeline.job.RetryPolicy;
import shop.usb.pipeline.ops.ApiTokens;
import shop.usb.pipeline.station.StickStock;

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
        Usb usb,
        Sticks sticks,
        RetryPolicy retryPolicy,
        Recovery recovery,
        Retention retention,
        Api api,
        HealthThresholds health) {

    public static final String BEAN_NAME = "pipelineSettings";
    private static final int DEFAULT_SLOTS = 4;

    public static PipelineSettings from(CamelContext context) {
        requireProfileFile(context);
        Reader read = new Reader(context.getPropertiesComponent());
        if (Boolean.parseBoolean(read.optional("pipeline.production"))) {
            requireProductionSecrets(read);
        }
        Folders folders = Folders.from(read);
        return new PipelineSettings(
                read.required("pipeline.instance.id"),
                folders,
                read.flag("pipeline.demo.enabled"),
                read.duration("pipeline.progress.interval"),
                Broker.from(read),
                DatabaseConnection.from(read),
                Intake.from(read),
                Usb.from(read, folders.dataDir()),
                Sticks.from(read),
                retryPolicy(read),
                Recovery.from(read),
                Retention.from(read),
                Api.from(read),
                healthThresholds(read));
    }

    /** Where the product keeps its state, reads its library and takes manifests from. */
    public record Folders(Path dataDir, Path contentDir, Path manifestDir) {
        private static Folders from(Reader read) {
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
        private static Broker from(Reader read) {
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
     * The embedded broker's other accounts: a producer that may only send confirmations, and an
     * administrator who may manage the broker. An account without a password is not created.
     */
    public record BrokerAccounts(
            String producerUser, String producerPassword, String adminUser, String adminPassword) {
        private static BrokerAccounts from(Reader read) {
            return new BrokerAccounts(
                    read.optional("pipeline.broker.producer.user"),
                    read.optional("pipeline.broker.producer.password"),
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
        private static DatabaseConnection from(Reader read) {
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
        private static Intake from(Reader read) {
            return new Intake(
                    read.number("pipeline.intake.max-bytes"),
                    new OrderLimits(
                            read.integer("pipeline.order.max-content-entries"),
                            read.integer("pipeline.order.max-files"),
                            read.number("pipeline.order.max-bytes")));
        }
    }

    /**
     * The station's slots and how a job waits for one. {@code mountsConfigured} is false for the
     * demo slots, folders under the data dir that the product creates.
     */
    public record Usb(
            List<Path> mounts,
            boolean mountsConfigured,
            boolean requireMount,
            SlotKind slotKind,
            Duration allocationTimeout,
            long reserveBytes) {
        private static Usb from(Reader read, Path dataDir) {
            String configured = read.optional("pipeline.usb.mounts");
            boolean mountsConfigured = !configured.isEmpty();
            List<Path> mounts =
                    mountsConfigured
                            ? Reader.items(configured).stream()
                                    .map(mount -> Path.of(mount).toAbsolutePath().normalize())
                                    .toList()
                            : IntStream.rangeClosed(1, DEFAULT_SLOTS)
                                    .mapToObj(i -> dataDir.resolve("usb/slot-" + i))
                                    .toList();
            requireUniqueSlotNames(mounts);
            return new Usb(
                    mounts,
                    mountsConfigured,
                    // The demo slots are folders under the data dir, never mount points.
                    mountsConfigured && read.flag("pipeline.usb.require-mount"),
                    read.choice("pipeline.usb.slot-kind", SlotKind.class),
                    read.duration("pipeline.usb.allocation-timeout"),
                    read.number("pipeline.usb.reserve-bytes"));
        }
    }

    /** Which sticks fit an order, and what the station does to a stick before and after. */
    public record Sticks(
            double sizeTolerance,
            boolean allowLarger,
            StickStock stock,
            boolean wipe,
            boolean setLabel,
            boolean eject) {
        private static Sticks from(Reader read) {
            return new Sticks(
                    read.fraction("pipeline.usb.size-tolerance"),
                    read.flag("pipeline.usb.allow-larger"),
                    StickStock.parse(
                            read.optional("pipeline.usb.stocked-sizes"),
                            read.optional("pipeline.usb.stocked-filesystems")),
                    read.flag("pipeline.usb.wipe"),
                    read.flag("pipeline.usb.set-label"),
                    read.flag("pipeline.usb.eject"));
        }
    }

    /**
     * When a PROCESSING job counts as dead, and when a waiting job's job message counts as lost.
     */
    public record Recovery(
            Duration stalledAfter, Duration overdueAfter, Duration queuedOverdueAfter) {
        private static Recovery from(Reader read) {
            return new Recovery(
                    read.duration("pipeline.stalled.after"),
                    read.duration("pipeline.dispatch.overdue-after"),
                    read.duration("pipeline.dispatch.queued-overdue-after"));
        }
    }

    /** How long ended jobs and the audit trail are kept, and how many rows one delete takes. */
    public record Retention(Duration jobsKeptFor, Duration auditKeptFor, int batchSize) {
        private static Retention from(Reader read) {
            return new Retention(
                    read.duration("pipeline.retention"),
                    read.duration("pipeline.audit.retention"),
                    read.positive("pipeline.retention.batch-size"));
        }
    }

    /** Who may call the API, under which host names, and how many jobs a bulk action changes. */
    public record Api(
            ApiTokens tokens, boolean tokenForReads, List<String> allowedHosts, int bulkBatchSize) {
        private static Api from(Reader read) {
            return new Api(
                    ApiTokens.parse(
                            read.optional("pipeline.api.token"),
                            read.optional("pipeline.api.tokens")),
                    read.flag("pipeline.api.token-for-reads"),
                    Reader.items(read.required("pipeline.http.allowed-hosts")),
                    read.positive("pipeline.bulk.batch-size"));
        }
    }

    private static RetryPolicy retryPolicy(Reader read) {
        return new RetryPolicy(
                read.integer("pipeline.retry.max-attempts"),
                Reader.items(read.optional("pipeline.retry.delays")).stream()
                        .map(Reader::toDuration)
                        .toList(),
                read.duration("pipeline.retry.initial-delay"),
                read.fraction("pipeline.retry.multiplier"),
                read.duration("pipeline.retry.max-delay"),
                read.fraction("pipeline.retry.jitter"));
    }

    private static HealthThresholds healthThresholds(Reader read) {
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

    /** Production takes these from the environment only; an empty one is a deployment error. */
    private static void requireProductionSecrets(Reader read) {
        List<String> missing = new ArrayList<>();
        for (String key :
                List.of(
                        "pipeline.broker.user",
                        "pipeline.broker.password",
                        "pipeline.db.user",
                        "pipeline.db.password",
                        "pipeline.usb.mounts",
                        "pipeline.jolokia.users-file")) {
            if (read.optional(key).isEmpty()) {
                missing.add(key + " (set " + environmentName(key) + ")");
            }
        }
        if (read.optional("pipeline.api.token").isEmpty()
                && read.optional("pipeline.api.tokens").isEmpty()) {
            missing.add(
                    "pipeline.api.token or pipeline.api.tokens (set "
                            + environmentName("pipeline.api.token")
                            + " or "
                            + environmentName("pipeline.api.tokens")
                            + ")");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(
                    "Missing required properties, which the prod profile takes from the"
                            + " environment: "
                            + String.join(", ", missing));
        }
    }

    private static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * A slot is named by the last element of its path (slot-1): two alike could not be told apart.
     */
    private static void requireUniqueSlotNames(List<Path> mounts) {
        Set<String> names = new HashSet<>();
        for (Path mount : mounts) {
            if (mount.getFileName() == null || !names.add(mount.getFileName().toString())) {
                throw new IllegalStateException(
                        "pipeline.usb.mounts: "
                                + mount
                                + " has the same slot name as another"
                                + " mount (a slot is named by the last element of its path)");
            }
        }
    }

    private record Reader(PropertiesComponent properties) {
        String required(String key) {
            return properties
                    .resolveProperty(key)
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .orElseThrow(
                            () -> new IllegalStateException("Missing required property " + key));
        }

        String optional(String key) {
            return properties.resolveProperty(key).map(String::trim).orElse("");
        }

        boolean flag(String key) {
            return Boolean.parseBoolean(required(key));
        }

        int integer(String key) {
            return Integer.parseInt(required(key));
        }

        /** A count that must be at least 1 (a batch of 0 would never end or never start). */
        int positive(String key) {
            int value = integer(key);
            if (value < 1) {
                throw new IllegalStateException(
                        "Property " + key + " must be at least 1, not " + value);
            }
            return value;
        }

        long number(String key) {
            return Long.parseLong(required(key));
        }

        double fraction(String key) {
            return Double.parseDouble(required(key));
        }

        Path path(String key) {
            return Path.of(required(key)).toAbsolutePath().normalize();
        }

        Duration duration(String key) {
            return toDuration(required(key));
        }

        <E extends Enum<E>> E choice(String key, Class<E> type) {
            String value = required(key);
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equalsIgnoreCase(value)) {
                    return constant;
                }
            }
            throw new IllegalStateException(
                    "Property "
                            + key
                            + " is '"
                            + value
                            + "'; it must be one of "
                            + Arrays.stream(type.getEnumConstants())
                                    .map(e -> e.name().toLowerCase(Locale.ROOT))
                                    .toList());
        }

        /** The non-empty items of a comma separated value. */
        static List<String> items(String value) {
            return Arrays.stream(value.split(","))
                    .map(String::trim)
                    .filter(item -> !item.isEmpty())
                    .toList();
        }

        static Duration toDuration(String value) {
            return Duration.ofMillis(TimeUtils.toMilliSeconds(value));
        }
    }
}
