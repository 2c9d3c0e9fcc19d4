package shop.usb.pipeline.status;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a webhook post proves it is ours and recent: HMAC-SHA256, keyed with the shared secret, over
 * the post's timestamp (Unix seconds), a '.', and its body, as lower-case hex in {@code
 * X-Pipeline-Signature: sha256=<hex>}, the timestamp in {@code X-Pipeline-Timestamp}. A receiver
 * recomputes it, compares in constant time, and refuses a timestamp outside its replay window.
 */
public final class WebhookSignature {

    public static final String TIMESTAMP_HEADER = "X-Pipeline-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Pipeline-Signature";

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    public WebhookSignature(String secret) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /** The header's value for a body posted at {@code epochSeconds}. */
    public String sign(long epochSeconds, String body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update((epochSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "sha256="
                    + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Every JVM has " + ALGORITHM, e);
        }
    }
}
