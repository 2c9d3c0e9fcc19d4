package shop.usb.pipeline.job;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** SQL text from {@code src/main/resources/sql/NAME.sql}, read once. */
public final class SqlStatements {

    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    private SqlStatements() {
    }

    public static String get(String name) {
        return CACHE.computeIfAbsent(name, SqlStatements::load);
    }

    private static String load(String name) {
        String resource = "/sql/" + name + ".sql";
        try (InputStream in = SqlStatements.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("No SQL file " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
