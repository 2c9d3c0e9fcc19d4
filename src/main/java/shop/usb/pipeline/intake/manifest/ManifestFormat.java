package shop.usb.pipeline.intake.manifest;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.Locale;
import java.util.Optional;

/** The two manifest formats, told apart by the file's extension. */
public enum ManifestFormat {
    CSV,
    JSON;

    public static Optional<ManifestFormat> ofFileName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".csv")) {
            return Optional.of(CSV);
        }
        if (lower.endsWith(".json")) {
            return Optional.of(JSON);
        }
        return Optional.empty();
    }

    ManifestReader open(InputStream in, ObjectMapper mapper, int maxLineBytes) {
        return this == JSON
                ? new JsonManifestReader(in, mapper, maxLineBytes)
                : new CsvManifestReader(in, mapper, maxLineBytes);
    }

    /**
     * The name an operator knows a confirmation field by in this format: CSV has columns, not JSON
     * paths.
     */
    String field(String confirmationField) {
        return this == CSV ? CsvManifestReader.column(confirmationField) : confirmationField;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
