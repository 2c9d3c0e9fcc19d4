package shop.usb.pipeline.support;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;

/** The product's JSON Schemas (config/*.schema.json), as the shops' validators read them. */
public final class JsonSchemas {

    private JsonSchemas() {}

    /** {@code classpath:config/NAME.schema.json}, draft 2020-12, with "format" asserted. */
    public static Schema load(String name) {
        return SchemaRegistry.withDefaultDialect(
                        SpecificationVersion.DRAFT_2020_12,
                        registry ->
                                registry.schemaRegistryConfig(
                                        // "format" only annotates in 2020-12 unless asked to
                                        // assert; the contracts mean it (times, uuids).
                                        SchemaRegistryConfig.builder()
                                                .formatAssertionsEnabled(true)
                                                .build()))
                .getSchema(SchemaLocation.of("classpath:config/" + name + ".schema.json"));
    }
}
