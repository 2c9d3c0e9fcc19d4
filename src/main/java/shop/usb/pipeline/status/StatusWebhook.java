package shop.usb.pipeline.status;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import shop.usb.pipeline.job.SqlStatements;

/**
 * The optional webhook ({@code pipeline.events.webhook-url}): what the status-event-webhook route
 * does with each due event. It POSTs the same CloudEvent as the broker carries, signed ({@link
 * WebhookSignature}); a 2xx delivers it; anything else is tried again after {@link
 * WebhookBackoff}'s wait, by the database's clock, and parked once that has gone on for hours. A
 * parked event waits for an operator's re-send. Posts are at least once: a receiver drops an {@code
 * id} it has seen, and orders an order's events by {@code sequence}.
 */
public class StatusWebhook {

    public static final String BEAN_NAME = "statusWebhook";

    private static final Logger LOG = LoggerFactory.getLogger(StatusWebhook.class);
    private static final String EVENT_ID = "statusEventId";
    private static final String ATTEMPTS = "statusEventWebhookAttempts";
    private static final int ERROR_CHARS = 500;

    /**
     * How long a claimed post is this instance's: longer than the HTTP client may take (connect,
     * connection request and answer timeouts, 10 + 10 + 30 s).
     */
    private static final Duration CLAIM = Duration.ofMinutes(2);

    private static final Pattern URL = Pattern.compile("\\S+://\\S+");

    private final String endpoint;
    private final String rawQuery;
    private final WebhookSignature signature;
    private final WebhookBackoff backoff;
    private final NamedParameterJdbcTemplate jdbc;
    private final Clock clock;

    /** {@code url}: empty when the installation has no webhook; {@code secret} signs each post. */
    public StatusWebhook(
            String url, String secret, WebhookBackoff backoff, DataSource dataSource, Clock clock) {
        // Camel would decode the query of an endpoint's URI (a token's %2B would go out as '+'):
        // the query goes out as written, in the raw query header of each post.
        URI uri = URI.create(url);
        this.endpoint =
                url.isEmpty()
                        ? ""
                        : uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
        this.rawQuery = uri.getRawQuery();
        this.signature = url.isEmpty() ? null : new WebhookSignature(secret);
        this.backoff = backoff;
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.clock = clock;
    }

    /** Whether the installation has a webhook: the relay then makes each event due for it. */
    public boolean enabled() {
        return signature != null;
    }

    /**
     * The outbox row in the body becomes the POST: its CloudEvent, signed now. Nothing else of the
     * exchange goes along (its headers are cleared). An event another instance claimed meanwhile
     * ends the exchange here.
     */
    public void request(Exchange exchange) {
        Message message = exchange.getMessage();
        Map<?, ?> row = message.getBody(Map.class);
        String id = StatusEventFormat.id(row);
        exchange.setProperty(EVENT_ID, id);
        exchange.setProperty(ATTEMPTS, ((Number) row.get("webhook_attempts")).intValue());
        if (jdbc.update(
                        SqlStatements.get("claim-webhook-event"),
                        new MapSqlParameterSource("id", id).addValue("claimMs", CLAIM.toMillis()))
                != 1) {
            exchange.setRouteStop(true);
            return;
        }
        if (!enabled()) {
            throw new IllegalStateException("pipeline.events.webhook-url is no longer set");
        }
        String json = StatusEventFormat.json(row);
        long now = clock.instant().getEpochSecond();
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_METHOD, "POST");
        if (rawQuery != null) {
            message.setHeader(Exchange.HTTP_RAW_QUERY, rawQuery);
        }
        message.setHeader(Exchange.CONTENT_TYPE, "application/cloudevents+json; charset=UTF-8");
        message.setHeader(WebhookSignature.TIMESTAMP_HEADER, String.valueOf(now));
        message.setHeader(WebhookSignature.SIGNATURE_HEADER, signature.sign(now, json));
        message.setBody(json);
    }

    /** Where the posts go, without the query (set on each post as it is written). */
    public String url() {
        return endpoint;
    }

    /** The receiver answered 2xx. */
    public void delivered(@ExchangeProperty(EVENT_ID) String id) {
        jdbc.update(
                SqlStatements.get("mark-webhook-delivered"), new MapSqlParameterSource("id", id));
    }

    /** The post failed: tried again after the backoff, or parked when it has failed for hours. */
    public void failed(Exchange exchange) {
        String id = exchange.getProperty(EVENT_ID, String.class);
        int attempts = exchange.getProperty(ATTEMPTS, Integer.class) + 1;
        String error = describe(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
        MapSqlParameterSource values = new MapSqlParameterSource("id", id).addValue("error", error);
        Optional<Duration> next = backoff.next(attempts);
        if (next.isPresent()) {
            jdbc.update(
                    SqlStatements.get("schedule-webhook-retry"),
                    values.addValue("delayMs", next.get().toMillis()));
            LOG.info(
                    "Webhook post of status event {} failed ({}); again in {}",
                    id,
                    error,
                    next.get());
        } else {
            jdbc.update(SqlStatements.get("park-webhook-event"), values);
            LOG.warn(
                    "Webhook post of status event {} failed {} times ({}); parked until re-sent",
                    id,
                    attempts,
                    error);
        }
    }

    /** Parked events, the most recent first: what the dashboard lists. */
    public List<Map<String, Object>> parked(int limit) {
        return jdbc.query(
                SqlStatements.get("find-parked-webhook-events"),
                new MapSqlParameterSource("limit", limit),
                (rs, n) -> {
                    Map<String, Object> event = new LinkedHashMap<>();
                    event.put("id", rs.getString("id"));
                    event.put("orderId", rs.getString("order_id"));
                    event.put("type", rs.getString("event_type"));
                    event.put("sequence", rs.getLong("sequence"));
                    event.put("occurredAt", iso(rs.getObject("occurred_at", OffsetDateTime.class)));
                    event.put("attempts", rs.getInt("webhook_attempts"));
                    event.put(
                            "parkedAt",
                            iso(rs.getObject("webhook_parked_at", OffsetDateTime.class)));
                    event.put("error", rs.getString("webhook_error"));
                    return event;
                });
    }

    public long parkedCount() {
        Long count =
                jdbc.queryForObject(
                        SqlStatements.get("count-parked-webhook-events"),
                        new MapSqlParameterSource(),
                        Long.class);
        return count == null ? 0 : count;
    }

    /** A parked event is due again now, with a fresh backoff; false when it is not parked. */
    public boolean resend(String id) {
        return jdbc.update(
                        SqlStatements.get("resend-webhook-event"),
                        new MapSqlParameterSource("id", id))
                == 1;
    }

    /**
     * What went wrong, in one line, without a URL (the receiver's may hold a token) or the answer's
     * body.
     */
    private static String describe(Exception cause) {
        String text;
        if (cause instanceof HttpOperationFailedException failed) {
            text = "HTTP " + failed.getStatusCode() + " " + failed.getStatusText();
        } else if (cause == null) {
            text = "unknown";
        } else {
            text = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
        text = URL.matcher(text.replaceAll("\\p{Cntrl}", " ")).replaceAll("the receiver");
        return text.length() <= ERROR_CHARS ? text : text.substring(0, ERROR_CHARS);
    }

    private static String iso(OffsetDateTime time) {
        return time == null ? null : time.toInstant().toString();
    }
}
