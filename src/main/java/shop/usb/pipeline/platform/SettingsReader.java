package shop.usb.pipeline.platform;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.util.TimeUtils;

/** Reads the product's settings from Camel's properties by key, each checked as it is read. */
record SettingsReader(PropertiesComponent properties) {
    String required(String key) {
        return properties
                .resolveProperty(key)
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .orElseThrow(() -> new IllegalStateException("Missing required property " + key));
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

    /** A duration of at least {@code least}. */
    Duration atLeast(String key, Duration least) {
        Duration value = duration(key);
        if (value.compareTo(least) < 0) {
            throw new IllegalStateException(
                    "Property " + key + " must be at least " + least + ", not " + value);
        }
        return value;
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

    /**
     * The keys of every property that starts with {@code prefix}, wherever it is set: Camel's
     * property files list theirs, but a JVM system property or an environment variable (the
     * prefix's name in upper case with underscores: PIPELINE_USB_MOUNT_EXT4) is only found by its
     * key, so those are looked through here.
     */
    List<String> keysStartingWith(String prefix) {
        return keysStartingWith(prefix, System.getProperties(), System.getenv());
    }

    List<String> keysStartingWith(
            String prefix, Properties systemProperties, Map<String, String> environment) {
        Set<String> keys =
                new TreeSet<>(
                        properties
                                .loadProperties(key -> key.startsWith(prefix))
                                .stringPropertyNames());
        systemProperties.stringPropertyNames().stream()
                .filter(key -> key.startsWith(prefix))
                .forEach(keys::add);
        String variablePrefix = prefix.toUpperCase(Locale.ROOT).replaceAll("[.-]", "_");
        environment.keySet().stream()
                .filter(name -> name.startsWith(variablePrefix))
                .map(
                        name ->
                                prefix
                                        + name.substring(variablePrefix.length())
                                                .toLowerCase(Locale.ROOT))
                .forEach(keys::add);
        return List.copyOf(keys);
    }

    /** The words of a command line, split on white space. */
    static List<String> words(String value) {
        return value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
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
