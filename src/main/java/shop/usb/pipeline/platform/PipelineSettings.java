package shop.usb.pipeline.platform;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.util.TimeUtils;
import shop.usb.pipeline.intake.OrderLimits;
import shop.usb.pipeline.job.RetryPolicy;
import shop.usb.pipeline.ops.ApiTokens;
import shop.usb.pipeline.ops.health.HealthThresholds;
import shop.usb.pipeline.usb.StickStock;
import shop.usb.pipeline.usb.UsbStation;

/** The product's own settings, read once from Camel's properties (files, -D, environment). */
public record PipelineSettings(
        String instanceId,
        Path dataDir,
        Path contentDir,
        Path manifestDir,
        List<Path> usbMounts,
        boolean usbMountsConfigured,
        boolean usbRequireMount,
        UsbStation.Kind usbSlotKind,
        double usbSizeTolerance,
        boolean usbAllowLarger,
        boolean usbWipe,
        boolean usbSetLabel,
        StickStock usbStock,
        boolean usbEject,
        boolean demoEnabled,
        boolean brokerEmbedded,
        String brokerUrl,
        String brokerUser,
        String brokerPassword,
        BrokerAccounts embeddedBrokerAccounts,
        int brokerMaxConnections,
        long intakeMaxBytes,
        OrderLimits orderLimits,
        String dbUrl,
        String dbUser,
        String dbPassword,
        int dbPoolSize,
        Duration dbConnectionTimeout,
        Duration dbSocketTimeout,
        Duration allocationTimeout,
        long usbReserveBytes,
        Duration progressInterval,
        RetryPolicy retryPolicy,
        Duration stalledAfter,
        Duration overdueAfter,
        Duration queuedOverdueAfter,
        ApiTokens apiTokens,
        boolean apiTokenForReads,
        List<String> allowedHosts,
        Duration retention,
        int retentionBatchSize,
        Duration auditRetention,
        int bulkBatchSize,
        HealthThresholds health) {

    public static final String BEAN_NAME = "pipelineSettings";
    private static final int DEFAULT_SLOTS = 4;

    public static PipelineSettings from(CamelContext context) {
        requireProfileFile(context);
        PropertiesComponent properties = context.getPropertiesComponent();
        Reader read = new Reader(properties);
        if (Boolean.parseBoolean(read.optional("pipeline.production"))) {
            // Production takes these from the environment only; an empty one is a deployment error.
            List<String> missing = new java.util.ArrayList<>();
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
        Path dataDir = Path.of(read.required("pipeline.data.dir")).toAbsolutePath().normalize();
        String mounts = read.optional("pipeline.usb.mounts");
        boolean mountsConfigured = !mounts.isBlank();
        List<Path> usbMounts =
                mountsConfigured
                        ? Arrays.stream(mounts.split(","))
                                .map(String::trim)
                                .filter(s -> !s.isEmpty())
                                .map(s -> Path.of(s).toAbsolutePath().normalize())
                                .toList()
                        : IntStream.rangeClosed(1, DEFAULT_SLOTS)
                                .mapToObj(i -> dataDir.resolve("usb/slot-" + i))
                                .toList();
        requireUniqueSlotNames(usbMounts);
        return new PipelineSettings(
                read.required("pipeline.instance.id"),
                dataDir,
                Path.of(read.required("pipeline.content.dir")).toAbsolutePath().normalize(),
                Path.of(read.required("pipeline.manifest.dir")).toAbsolutePath().normalize(),
                usbMounts,
                mountsConfigured,
                // The demo slots are folders under the data dir, never mount points.
                mountsConfigured
                        && Boolean.parseBoolean(read.required("pipeline.usb.require-mount")),
                read.choice("pipeline.usb.slot-kind", UsbStation.Kind.class),
                Double.parseDouble(read.required("pipeline.usb.size-tolerance")),
                Boolean.parseBoolean(read.required("pipeline.usb.allow-larger")),
                Boolean.parseBoolean(read.required("pipeline.usb.wipe")),
                Boolean.parseBoolean(read.required("pipeline.usb.set-label")),
                StickStock.parse(
                        read.optional("pipeline.usb.stocked-sizes"),
                        read.optional("pipeline.usb.stocked-filesystems")),
                Boolean.parseBoolean(read.required("pipeline.usb.eject")),
                Boolean.parseBoolean(read.required("pipeline.demo.enabled")),
                Boolean.parseBoolean(read.required("pipeline.broker.embedded")),
                read.required("pipeline.broker.url"),
                read.optional("pipeline.broker.user"),
                read.optional("pipeline.broker.password"),
                new BrokerAccounts(
                        read.optional("pipeline.broker.producer.user"),
                        read.optional("pipeline.broker.producer.password"),
                        read.optional("pipeline.broker.admin.user"),
                        read.optional("pipeline.broker.admin.password")),
                Integer.parseInt(read.required("pipeline.broker.max-connections")),
                Long.parseLong(read.required("pipeline.intake.max-bytes")),
                new OrderLimits(
                        Integer.parseInt(read.required("pipeline.order.max-content-entries")),
                        Integer.parseInt(read.required("pipeline.order.max-files")),
                        Long.parseLong(read.required("pipeline.order.max-bytes"))),
                read.required("pipeline.db.url"),
                read.optional("pipeline.db.user"),
                read.optional("pipeline.db.password"),
                Integer.parseInt(read.required("pipeline.db.pool-size")),
                read.duration("pipeline.db.connection-timeout"),
                read.duration("pipeline.db.socket-timeout"),
                read.duration("pipeline.usb.allocation-timeout"),
                Long.parseLong(read.required("pipeline.usb.reserve-bytes")),
                read.duration("pipeline.progress.interval"),
                new RetryPolicy(
                        Integer.parseInt(read.required("pipeline.retry.max-attempts")),
                        Arrays.stream(read.optional("pipeline.retry.delays").split(","))
                                .map(String::trim)
                                .filter(d -> !d.isEmpty())
                                .map(d -> Duration.ofMillis(TimeUtils.toMilliSeconds(d)))
                                .toList(),
                        read.duration("pipeline.retry.initial-delay"),
                        Double.parseDouble(read.required("pipeline.retry.multiplier")),
                        read.duration("pipeline.retry.max-delay"),
                        Double.parseDouble(read.required("pipeline.retry.jitter"))),
                read.duration("pipeline.stalled.after"),
                read.duration("pipeline.dispatch.overdue-after"),
                read.duration("pipeline.dispatch.queued-overdue-after"),
                ApiTokens.parse(
                        read.optional("pipeline.api.token"), read.optional("pipeline.api.tokens")),
                Boolean.parseBoolean(read.required("pipeline.api.token-for-reads")),
                Arrays.stream(read.required("pipeline.http.allowed-hosts").split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList(),
                read.duration("pipeline.retention"),
                Integer.parseInt(read.required("pipeline.retention.batch-size")),
                read.duration("pipeline.audit.retention"),
                Integer.parseInt(read.required("pipeline.bulk.batch-size")),
                new HealthThresholds(
                        Double.parseDouble(
                                read.required("pipeline.health.success-rate.degraded-below")),
                        Double.parseDouble(
                                read.required("pipeline.health.success-rate.unhealthy-below")),
                        Long.parseLong(read.required("pipeline.health.stalled.degraded-above")),
                        Long.parseLong(read.required("pipeline.health.stalled.unhealthy-above")),
                        Long.parseLong(read.required("pipeline.health.backlog.degraded-above")),
                        read.duration("pipeline.health.oldest-queued.degraded-after"),
                        read.duration("pipeline.stalled.after")));
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

    private static String environmentName(String key) {
        return key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * A slot is named by the last element of its path (slot-1): two alike could not be told apart.
     */
    private static void requireUniqueSlotNames(List<Path> mounts) {
        java.util.Set<String> names = new java.util.HashSet<>();
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

    /**
     * The embedded broker's other accounts: a producer that may only send confirmations, and an
     * administrator who may manage the broker. An account without a password is not created.
     */
    public record BrokerAccounts(
            String producerUser, String producerPassword, String adminUser, String adminPassword) {}

    private record Reader(PropertiesComponent properties) {
        String required(String key) {
            return properties
                    .resolveProperty(key)
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .orElseThrow(
                            () -> new IllegalStateException("Missing required property " + key));
        }

        Duration duration(String key) {
            return Duration.ofMillis(TimeUtils.toMilliSeconds(required(key)));
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
                            + java.util.Arrays.stream(type.getEnumConstants())
                                    .map(e -> e.name().toLowerCase(java.util.Locale.ROOT))
                                    .toList());
        }

        String optional(String key) {
            return properties.resolveProperty(key).map(String::trim).orElse("");
        }
    }
}
