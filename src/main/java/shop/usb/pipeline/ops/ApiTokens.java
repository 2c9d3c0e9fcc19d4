package shop.usb.pipeline.ops;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The API's bearer tokens, each with a name the audit trail records as who acted:
 * pipeline.api.tokens ({@code name:secret,name:secret}) and pipeline.api.token (named "api-token").
 */
public final class ApiTokens {

    static final String SINGLE_TOKEN_NAME = "api-token";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final Map<String, byte[]> secretsByName;

    private ApiTokens(Map<String, byte[]> secretsByName) {
        this.secretsByName = secretsByName;
    }

    /** Refuses at startup a malformed entry, a name used twice or one secret given two names. */
    public static ApiTokens parse(String singleToken, String namedTokens) {
        Map<String, byte[]> tokens = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        if (singleToken != null && !singleToken.isBlank()) {
            tokens.put(SINGLE_TOKEN_NAME, singleToken.trim().getBytes(StandardCharsets.UTF_8));
            names.put(singleToken.trim(), SINGLE_TOKEN_NAME);
        }
        for (String entry : namedTokens == null ? new String[0] : namedTokens.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int colon = entry.indexOf(':');
            String name = colon < 0 ? "" : entry.substring(0, colon).trim();
            String secret = colon < 0 ? "" : entry.substring(colon + 1).trim();
            if (!NAME.matcher(name).matches() || secret.isEmpty()) {
                throw new IllegalStateException(
                        "pipeline.api.tokens: each entry is name:secret, the name of 1 to 64"
                                + " letters, digits, '.', '_' or '-' (an entry is not)");
            }
            if (tokens.containsKey(name)) {
                throw new IllegalStateException(
                        "pipeline.api.tokens: the name " + name + " is given twice");
            }
            if (names.containsKey(secret)) {
                throw new IllegalStateException(
                        "pipeline.api.tokens: "
                                + name
                                + " has the same secret as "
                                + names.get(secret)
                                + "; the trail could not tell them apart");
            }
            tokens.put(name, secret.getBytes(StandardCharsets.UTF_8));
            names.put(secret, name);
        }
        return new ApiTokens(Map.copyOf(tokens));
    }

    public boolean isEmpty() {
        return secretsByName.isEmpty();
    }

    /** The name of the token presented, compared in constant time with every one. */
    Optional<String> nameOf(String presented) {
        byte[] bytes = presented.getBytes(StandardCharsets.UTF_8);
        String found = null;
        for (Map.Entry<String, byte[]> token : secretsByName.entrySet()) {
            if (MessageDigest.isEqual(token.getValue(), bytes)) {
                found = token.getKey();
            }
        }
        return Optional.ofNullable(found);
    }
}
