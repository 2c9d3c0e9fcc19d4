package shop.usb.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import shop.usb.pipeline.platform.PipelineSettings;

/**
 * CAMEL_MAIN_PROFILE=prod: its file wins over the defaults, and a missing secret stops the start
 * with its name.
 */
class ProductionProfileTest {

    /**
     * What camel-main reads with camel.main.profile=prod, not optional here: a file that moved
     * fails the test.
     */
    private static final String PROD_LOCATIONS =
            "classpath:application-prod.properties,classpath:application.properties";

    @Test
    void prodProfileOverridesTheEmbeddedDefaults() throws Exception {
        try (DefaultCamelContext context = contextWith(new Properties())) {
            assertThat(context.resolvePropertyPlaceholders("{{pipeline.broker.embedded}}"))
                    .isEqualTo("false");
            assertThat(context.resolvePropertyPlaceholders("{{pipeline.demo.enabled}}"))
                    .isEqualTo("false");
            assertThat(context.resolvePropertyPlaceholders("{{pipeline.workers}}"))
                    .as("from the defaults")
                    .isEqualTo("4");
        }
    }

    @Test
    void prodProfileRefusesToStartWithoutSecretsAndNamesTheVariable() throws Exception {
        Properties partial = new Properties();
        partial.put("pipeline.broker.user", "pipeline");
        try (DefaultCamelContext context = contextWith(partial)) {
            assertThatThrownBy(() -> PipelineSettings.from(context))
                    .hasMessageContaining("pipeline.broker.password")
                    .hasMessageContaining("PIPELINE_BROKER_PASSWORD");
        }
    }

    @Test
    void prodProfileRefusesToStartWithoutJolokiaCredentials() throws Exception {
        Properties withoutJolokiaUsers = new Properties();
        for (String key :
                new String[] {
                    "pipeline.broker.user",
                    "pipeline.broker.password",
                    "pipeline.db.user",
                    "pipeline.db.password",
                    "pipeline.api.token"
                }) {
            withoutJolokiaUsers.put(key, "from-env");
        }
        withoutJolokiaUsers.put("pipeline.usb.mounts", "/usb/slot-1");
        try (DefaultCamelContext context = contextWith(withoutJolokiaUsers)) {
            assertThatThrownBy(() -> PipelineSettings.from(context))
                    .hasMessageContaining("PIPELINE_JOLOKIA_USERS_FILE");
            assertThat(
                            context.resolvePropertyPlaceholders(
                                    "{{camel.management.authentication-enabled}}"))
                    .isEqualTo("true");
        }
    }

    @Test
    void prodProfileRefusesToStartWithoutTheApiToken() throws Exception {
        Properties withoutToken = new Properties();
        for (String key :
                new String[] {
                    "pipeline.broker.user",
                    "pipeline.broker.password",
                    "pipeline.db.user",
                    "pipeline.db.password"
                }) {
            withoutToken.put(key, "from-env");
        }
        withoutToken.put("pipeline.usb.mounts", "/usb/slot-1");
        try (DefaultCamelContext context = contextWith(withoutToken)) {
            assertThatThrownBy(() -> PipelineSettings.from(context))
                    .hasMessageContaining("pipeline.api.token")
                    .hasMessageContaining("PIPELINE_API_TOKEN");
        }
    }

    @Test
    void prodProfileRefusesTheExamplesValuesAndShortTokens() throws Exception {
        Properties example = productionEnvironment();
        example.put("pipeline.db.password", "change-me-database");
        try (DefaultCamelContext context = contextWith(example)) {
            assertThatThrownBy(() -> PipelineSettings.from(context))
                    .hasMessageContaining("PIPELINE_DB_PASSWORD still holds the example's value");
        }
        Properties shortToken = productionEnvironment();
        shortToken.put("pipeline.api.token", "x");
        try (DefaultCamelContext context = contextWith(shortToken)) {
            assertThatThrownBy(() -> PipelineSettings.from(context))
                    .hasMessageContaining("PIPELINE_API_TOKEN is shorter than 16 characters");
        }
        Properties exampleJolokia = productionEnvironment();
        exampleJolokia.put(
                "pipeline.jolokia.users-file",
                jolokiaUsers("user.operator=change-me-jolokia,admin"));
        try (DefaultCamelContext context = contextWith(exampleJolokia)) {
            assertThatThrownBy(() -> PipelineSettings.from(context))
                    .hasMessageContaining(
                            "PIPELINE_JOLOKIA_USERS_FILE: the password of user.operator is still"
                                    + " the example's");
        }
        Properties noUsersFile = productionEnvironment();
        noUsersFile.put("pipeline.jolokia.users-file", "/no/such/users.properties");
        try (DefaultCamelContext context = contextWith(noUsersFile)) {
            assertThatThrownBy(() -> PipelineSettings.from(context))
                    .hasMessageContaining("PIPELINE_JOLOKIA_USERS_FILE names no readable file");
        }
        Properties shortNamed = productionEnvironment();
        shortNamed.remove("pipeline.api.token");
        shortNamed.put("pipeline.api.tokens", "anna:a-long-enough-secret-1,ci:short");
        try (DefaultCamelContext context = contextWith(shortNamed)) {
            assertThatThrownBy(() -> PipelineSettings.from(context))
                    .hasMessageContaining("the token of ci is shorter than 16 characters")
                    .message()
                    .doesNotContain("anna");
        }
    }

    @Test
    void aBatchSizeBelowOneRefusesToStart() throws Exception {
        Properties environment = productionEnvironment();
        environment.put("pipeline.retention.batch-size", "0");
        try (DefaultCamelContext context = contextWith(environment)) {
            assertThatThrownBy(() -> PipelineSettings.from(context))
                    .hasMessageContaining("pipeline.retention.batch-size must be at least 1");
        }
    }

    @Test
    void prodProfileStartsFromTheEnvironmentsValues() throws Exception {
        try (DefaultCamelContext context = contextWith(productionEnvironment())) {
            PipelineSettings settings = PipelineSettings.from(context);
            assertThat(settings.api().tokenForReads()).as("jobs carry customer data").isTrue();
            assertThat(settings.broker().embedded()).isFalse();
            assertThat(settings.demoEnabled()).isFalse();
            assertThat(settings.usb().mounts()).hasSize(2);
            assertThat(settings.database().url()).startsWith("jdbc:postgresql:");
        }
    }

    @Test
    void camelMainReadsTheProfileFile() {
        Main main = PipelineApplication.create();
        main.configure().setProfile("prod");
        try {
            assertThatThrownBy(main::start)
                    .as("pipeline.production from application-prod.properties")
                    .hasStackTraceContaining("PIPELINE_BROKER_PASSWORD");
        } finally {
            main.stop();
        }
    }

    @Test
    void aProfileWithoutItsFileRefusesToStart() {
        Main main = PipelineApplication.create();
        main.configure().setProfile("prdo");
        try {
            assertThatThrownBy(main::start)
                    .hasStackTraceContaining("there is no application-prdo.properties");
        } finally {
            main.stop();
        }
    }

    /** What a deployment's environment gives the prod profile. */
    private static Properties productionEnvironment() {
        Properties environment = new Properties();
        environment.put("pipeline.broker.url", "tcp://artemis:61616");
        environment.put("pipeline.broker.user", "pipeline");
        environment.put("pipeline.broker.password", "from-env");
        environment.put("pipeline.db.url", "jdbc:postgresql://postgres/pipeline");
        environment.put("pipeline.db.user", "pipeline");
        environment.put("pipeline.db.password", "from-env");
        environment.put("pipeline.usb.mounts", "/usb/slot-1,/usb/slot-2");
        environment.put("pipeline.content.dir", "/library");
        environment.put("pipeline.api.token", "a-token-from-the-environment");
        environment.put(
                "pipeline.jolokia.users-file", jolokiaUsers("user.operator=a-real-password,admin"));
        return environment;
    }

    /** A users file as compose writes it from docker/.env. */
    private static String jolokiaUsers(String content) {
        try {
            Path file = Files.createTempFile("jolokia-users", ".properties");
            file.toFile().deleteOnExit();
            return Files.writeString(file, content + "\n").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DefaultCamelContext contextWith(Properties overrides) {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setLocation(PROD_LOCATIONS);
        context.getPropertiesComponent().setOverrideProperties(overrides);
        return context;
    }
}
