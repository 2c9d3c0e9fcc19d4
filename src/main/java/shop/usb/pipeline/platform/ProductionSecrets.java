package shop.usb.pipeline.platform;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * What the prod profile requires of its secrets before anything starts: each one set (from the
 * environment), none the examples' "change-me" value, API tokens long enough, and a Jolokia users
 * file that is there and holds no example password. Each refusal names the variable to set.
 */
final class ProductionSecrets {

    private ProductionSecrets() {}

    /** Production takes these from the environment only; an empty one is a deployment error. */
    static void require(SettingsReader read) {
        List<String> missing = new ArrayList<>();
        for (String key :
                List.of(
                        "pipeline.broker.user",
                        "pipeline.broker.password",
                        "pipeline.db.user",
                        "pipeline.db.password",
                        "pipeline.jolokia.users-file")) {
            if (read.optional(key).isEmpty()) {
                missing.add(key + " (set " + environmentName(key) + ")");
            }
        }
        if (read.optional("pipeline.usb.mounts").isEmpty()
                && read.optional("pipeline.usb.ports").isEmpty()) {
            missing.add(
                    "pipeline.usb.mounts or pipeline.usb.ports (set "
                            + environmentName("pipeline.usb.mounts")
                            + " or "
                            + environmentName("pipeline.usb.ports")
                            + ")");
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
        requireRealSecrets(read);
    }

    /** An API token shorter than this is guessed too soon. */
    private static final int MIN_TOKEN_CHARS = 16;

    /**
     * The examples' values (docker/.env.example's "change-me…") are not secrets, and an API token
     * needs some length: the prod profile refuses both, naming the variable.
     */
    private static void requireRealSecrets(SettingsReader read) {
        List<String> weak = new ArrayList<>();
        for (String key :
                List.of(
                        "pipeline.broker.password",
                        "pipeline.db.password",
                        "pipeline.api.token",
                        "pipeline.api.tokens",
                        "pipeline.events.webhook-secret")) {
            String value = read.optional(key);
            if (value.toLowerCase(Locale.ROOT).contains("change-me")) {
                weak.add(environmentName(key) + " still holds the example's value");
            }
        }
        String token = read.optional("pipeline.api.token");
        if (!token.isEmpty() && token.trim().length() < MIN_TOKEN_CHARS) {
            weak.add(
                    environmentName("pipeline.api.token")
                            + " is shorter than "
                            + MIN_TOKEN_CHARS
                            + " characters");
        }
        for (String entry : SettingsReader.items(read.optional("pipeline.api.tokens"))) {
            String secret = entry.substring(entry.indexOf(':') + 1).trim();
            if (secret.length() < MIN_TOKEN_CHARS) {
                weak.add(
                        environmentName("pipeline.api.tokens")
                                + ": the token of "
                                + entry.substring(0, Math.max(0, entry.indexOf(':')))
                                + " is shorter than "
                                + MIN_TOKEN_CHARS
                                + " characters");
            }
        }
        weak.addAll(weakJolokiaUsers(Path.of(read.optional("pipeline.jolokia.users-file"))));
        if (!weak.isEmpty()) {
            throw new IllegalStateException(
                    "The prod profile refuses weak secrets: " + String.join("; ", weak));
        }
    }

    /**
     * Camel's management users file ({@code user.NAME=PASSWORD,ROLES}): it must be there, and no
     * password may be the example's (compose writes JOLOKIA_PASSWORD into it).
     */
    private static List<String> weakJolokiaUsers(Path usersFile) {
        String variable = environmentName("pipeline.jolokia.users-file");
        Properties users = new Properties();
        try (Reader in = Files.newBufferedReader(usersFile)) {
            users.load(in);
        } catch (IOException e) {
            return List.of(variable + " names no readable file (" + usersFile + ": " + e + ")");
        }
        List<String> weak = new ArrayList<>();
        for (String user : users.stringPropertyNames()) {
            String password = users.getProperty(user).split(",", 2)[0];
            if (password.toLowerCase(Locale.ROOT).contains("change-me")) {
                weak.add(
                        variable
                                + ": the password of "
                                + user
                                + " is still the example's (JOLOKIA_PASSWORD)");
            }
        }
        return weak;
    }

    static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
