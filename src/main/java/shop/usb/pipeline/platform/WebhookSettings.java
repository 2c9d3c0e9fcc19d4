package shop.usb.pipeline.platform;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import shop.usb.pipeline.status.WebhookBackoff;

/**
 * The status events' optional webhook: where to POST (empty: none), the secret that signs each
 * post, and how failed posts are tried again before they are parked.
 */
public record WebhookSettings(String url, String secret, WebhookBackoff backoff) {

    /** A shorter secret is guessed too soon. */
    static final int MIN_SECRET_CHARS = 16;

    static WebhookSettings from(SettingsReader read) {
        String url = read.optional("pipeline.events.webhook-url");
        String secret = read.optional("pipeline.events.webhook-secret");
        if (!url.isEmpty()) {
            requireHttpUrl(url);
            if (secret.length() < MIN_SECRET_CHARS) {
                throw new IllegalStateException(
                        "pipeline.events.webhook-secret must be at least "
                                + MIN_SECRET_CHARS
                                + " characters when pipeline.events.webhook-url is set: it signs"
                                + " each post");
            }
        }
        Duration first = read.atLeast("pipeline.events.webhook-first-retry", Duration.ofSeconds(1));
        return new WebhookSettings(
                url,
                secret,
                new WebhookBackoff(
                        first,
                        read.atLeast("pipeline.events.webhook-max-retry", first),
                        read.atLeast("pipeline.events.webhook-retry-for", first)));
    }

    private static void requireHttpUrl(String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                // Not echoed: the URL may hold the receiver's token.
                throw new IllegalStateException(
                        "pipeline.events.webhook-url must be an http:// or https:// URL with a"
                                + " host");
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException(
                    "pipeline.events.webhook-url is not a URL (" + e.getReason() + ")");
        }
    }
}
