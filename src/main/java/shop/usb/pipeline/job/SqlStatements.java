package shop.usb.pipeline.job;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SQL text from {@code src/main/resources/sql/NAME.sql}, read once. A line {@code -- include:
 * OTHER} stands for the text of OTHER.sql, so statements that share a condition keep it in one
 * file.
 */
public final class SqlStatements {

    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();
    private static final Pattern INCLUDE = Pattern.compile("(?m)^-- include: ([a-z-]+)$");

    private SqlStatements() {}

    public static String get(String name) {
        String cached = CACHE.get(name);
        if (cached != null) {
            return cached;
        }
        // Loaded outside the map's own update: an include loads (and caches) another statement
        // meanwhile.
        CACHE.putIfAbsent(name, load(name));
        return CACHE.get(name);
    }

    private static String load(String name) {
        String resource = "/sql/" + name + ".sql";
        try (InputStream in = SqlStatements.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("No SQL file " + resource);
            }
            return INCLUDE.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .replaceAll(include -> Matcher.quoteReplacement(get(include.group(1))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
