package shop.usb.pipeline.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;

/**
 * Who may talk to the API server, decided in one place before any route or page sees a request.
 *
 * <ul>
 *   <li>The Host header must name this server (pipeline.http.allowed-hosts): a rebound DNS name
 *       cannot make a page on another site same-origin with the API.
 *   <li>A request to /api from another site (Sec-Fetch-Site, Origin) is refused.
 *   <li>A request that changes something needs a bearer token (pipeline.api.token,
 *       pipeline.api.tokens); without one it must come from this machine and carry X-Requested-By,
 *       which a page on another origin can only send after a CORS preflight that this server never
 *       grants.
 *   <li>With pipeline.api.token-for-reads, reads of /api need the token too (not /api/health, which
 *       holds no customer data).
 *   <li>An admitted /api request acts as the name of its valid token, else "loopback" or
 *       "anonymous", set here as the request's user and nowhere else ({@link #actorOf}): no header
 *       or query parameter a client sends can name it. The audit trail records it.
 *   <li>Every answer carries only the headers the product sets, plus a Content-Security-Policy,
 *       nosniff and no-referrer: nothing from the request (query parameters, headers) becomes a
 *       response header.
 * </ul>
 */
public class HttpGate implements Handler<RoutingContext> {

    /**
     * The header the dashboard sends with every change; its value is not checked, its presence is.
     */
    public static final String INTENT_HEADER = "X-Requested-By";

    static final String CONTENT_SECURITY_POLICY =
            "default-src 'none'; script-src 'self'; style-src 'self';"
                    + " img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final String BEARER = "Bearer ";
    private static final Set<HttpMethod> READS =
            Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);
    private static final Set<String> FETCH_SITES_ALLOWED = Set.of("same-origin", "none");

    /** The API's path parameters (api.camel.yaml), read by the routes as message headers. */
    private static final Set<String> PATH_PARAMETERS = Set.of("id", "slot");

    private static final Set<String> OPEN_READS = Set.of("/api/health");

    /**
     * The response headers the product sets (Vert.x and the static handler add the framing and
     * cache ones).
     */
    private static final Set<String> RESPONSE_HEADERS =
            Set.of(
                    "content-type",
                    "content-length",
                    "transfer-encoding",
                    "connection",
                    "date",
                    "www-authenticate",
                    "cache-control",
                    "etag",
                    "last-modified",
                    "vary",
                    "accept-ranges",
                    "content-range",
                    "content-security-policy",
                    "x-content-type-options",
                    "referrer-policy",
                    "x-frame-options",
                    "retry-after");

    /** Where a bulk operation's 202 says it can be followed: the only answers with a Location. */
    private static final Set<String> OPERATION_STARTS =
            Set.of("/api/jobs/retry", "/api/jobs/cancel");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiTokens tokens;
    private final boolean tokenForReads;
    private final Set<String> allowedHosts;

    public HttpGate(ApiTokens tokens, boolean tokenForReads, List<String> allowedHosts) {
        this.tokens = tokens;
        this.tokenForReads = tokenForReads;
        this.allowedHosts =
                Set.copyOf(allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
    }

    @Override
    public void handle(RoutingContext context) {
        HttpServerRequest request = context.request();
        // The path as the router matches it ("//api/./jobs" is /api/jobs), not as it came.
        String path = context.normalizedPath();
        boolean api = isApi(path);
        context.addHeadersEndHandler(
                ignored -> {
                    // BulkActions cleared the request's headers before it set this one; any other
                    // Location would be a request's echoed back.
                    String location = context.response().headers().get("Location");
                    keepOnlyProductHeaders(context.response().headers());
                    if (location != null
                            && context.response().getStatusCode() == 202
                            && request.method() == HttpMethod.POST
                            && OPERATION_STARTS.contains(path)) {
                        context.response().headers().set("Location", location);
                    }
                    if (api
                            && !(LiveEvents.PATH.equals(path)
                                    && context.response().getStatusCode() == 200)) {
                        // Every API answer is JSON (the event stream aside), whatever a query
                        // parameter named
                        // Content-Type asked for.
                        context.response().headers().set("Content-Type", "application/json");
                    }
                });
        MultiMap headers = context.response().headers();
        headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Referrer-Policy", "no-referrer");
        Refusal refusal = refusalOf(request, path);
        if (refusal == null) {
            if (api) {
                // The user, not a header: platform-http adds query parameters to the headers too.
                context.setUser(User.fromName(actor(request)));
            }
            context.next();
            return;
        }
        headers.set("Content-Type", "application/json");
        headers.set("Cache-Control", "no-store");
        if (refusal.status() == 401) {
            headers.set("WWW-Authenticate", "Bearer");
        }
        context.response().setStatusCode(refusal.status()).end(refusal.json());
    }

    /**
     * The management server's gate (metrics, health, Jolokia): only the Host allow-list, so that a
     * page whose name was rebound to this machine cannot read them.
     */
    public void checkHost(RoutingContext context) {
        Refusal refusal = hostRefusal(context.request());
        if (refusal == null) {
            context.next();
            return;
        }
        context.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .setStatusCode(refusal.status())
                .end(refusal.json());
    }

    /**
     * A query parameter or header that would shadow a message header the routes read, or null:
     * platform-http turns both into message headers, beside the path's id and slot and the headers
     * Camel and the product set (the gate's user among them).
     */
    private static String reservedName(HttpServerRequest request) {
        for (String name : request.params().names()) {
            if (reserved(name)) {
                return "query parameter '" + name + "'";
            }
        }
        for (String name : request.headers().names()) {
            if (reserved(name)) {
                return "header '" + name + "'";
            }
        }
        return null;
    }

    private static boolean isForm(String contentType) {
        String type = contentType.toLowerCase(Locale.ROOT).strip();
        return type.startsWith("application/x-www-form-urlencoded")
                || type.startsWith("multipart/");
    }

    private static boolean reserved(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return PATH_PARAMETERS.contains(lower)
                || lower.startsWith("camel")
                || lower.startsWith("pipeline");
    }

    private Refusal hostRefusal(HttpServerRequest request) {
        String host = authority(request);
        return hostAllowed(host)
                ? null
                : new Refusal(
                        403,
                        "HOST_NOT_ALLOWED",
                        "The Host header ("
                                + host
                                + ") does not name this server"
                                + " (pipeline.http.allowed-hosts)");
    }

    private Refusal refusalOf(HttpServerRequest request, String path) {
        Refusal wrongHost = hostRefusal(request);
        if (wrongHost != null) {
            return wrongHost;
        }
        if (!isApi(path)) {
            return null;
        }
        String crossSite = crossSite(request);
        if (crossSite != null) {
            return new Refusal(403, "CROSS_SITE_REQUEST", crossSite);
        }
        if (request.headers().getAll("Content-Type").stream().anyMatch(HttpGate::isForm)) {
            return new Refusal(
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                    "The API takes JSON; a form body is refused (platform-http would make its"
                            + " fields message headers)");
        }
        String reserved = reservedName(request);
        if (reserved != null) {
            return new Refusal(
                    400,
                    "RESERVED_NAME",
                    "The "
                            + reserved
                            + " is not accepted: the path alone names the job or slot, and names"
                            + " starting with Camel or pipeline are the product's own");
        }
        boolean changes = !READS.contains(request.method());
        if (!changes && (!tokenForReads || OPEN_READS.contains(path))) {
            return null;
        }
        if (!tokens.isEmpty()) {
            return bearerRefusal(request.getHeader("Authorization"));
        }
        if (!fromLoopback(request.remoteAddress())) {
            return new Refusal(
                    403,
                    "FORBIDDEN",
                    "Without an API token (pipeline.api.token, pipeline.api.tokens) only requests from this machine"
                            + " may change jobs");
        }
        if (isBlank(request.getHeader(INTENT_HEADER))) {
            return new Refusal(
                    403,
                    "INTENT_HEADER_MISSING",
                    "A request that changes something carries the header "
                            + INTENT_HEADER
                            + " (any value) or 'Authorization: Bearer <token>'");
        }
        return null;
    }

    private Refusal bearerRefusal(String authorization) {
        if (authorization == null || !authorization.startsWith(BEARER)) {
            return new Refusal(
                    401, "UNAUTHORIZED", "This request needs 'Authorization: Bearer <token>'");
        }
        return tokenName(authorization) != null
                ? null
                : new Refusal(401, "UNAUTHORIZED", "The bearer token is not valid");
    }

    /** The name of the valid token the request presents, or null. */
    private String tokenName(String authorization) {
        if (authorization == null || !authorization.startsWith(BEARER)) {
            return null;
        }
        return tokens.nameOf(authorization.substring(BEARER.length()).trim()).orElse(null);
    }

    /** Who an admitted request acts as: its token's name, else where it comes from. */
    /**
     * Who an admitted request acts as, for the audit trail: the user the gate set, which Camel
     * carries in a header of its own (a Camel header, which no request can set).
     */
    public static String actorOf(Exchange exchange) {
        Object user =
                exchange.getMessage().getHeader(VertxPlatformHttpConstants.AUTHENTICATED_USER);
        return user instanceof User gateUser && gateUser.subject() != null
                ? gateUser.subject()
                : "anonymous";
    }

    private String actor(HttpServerRequest request) {
        String name = tokenName(request.getHeader("Authorization"));
        if (name != null) {
            return name;
        }
        return fromLoopback(request.remoteAddress()) ? "loopback" : "anonymous";
    }

    /**
     * Why the request comes from a page on another origin, or null: judged by Sec-Fetch-Site, then
     * Origin.
     */
    private String crossSite(HttpServerRequest request) {
        String fetchSite = request.getHeader("Sec-Fetch-Site");
        if (fetchSite != null
                && !FETCH_SITES_ALLOWED.contains(fetchSite.toLowerCase(Locale.ROOT))) {
            return "Requests from another site are refused (Sec-Fetch-Site: " + fetchSite + ")";
        }
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return null;
        }
        try {
            URI uri = URI.create(origin);
            String host = authority(request);
            String expected = host == null ? "" : host.toLowerCase(Locale.ROOT);
            String actual = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            if (uri.getHost() != null
                    && "http".equals(uri.getScheme()) == !request.isSSL()
                    && actual.toLowerCase(Locale.ROOT).equals(expected)) {
                return null;
            }
        } catch (IllegalArgumentException e) {
            // An Origin that is no URI ("null" from a sandboxed frame) is not this server either.
        }
        return "Requests from another origin are refused (Origin: " + origin + ")";
    }

    /** Host and port the client asked for: the Host header, or HTTP/2's :authority. */
    private static String authority(HttpServerRequest request) {
        HostAndPort authority = request.authority();
        if (authority == null) {
            return null;
        }
        String host =
                authority.host().contains(":") && !authority.host().startsWith("[")
                        ? "[" + authority.host() + "]"
                        : authority.host();
        return authority.port() < 0 ? host : host + ":" + authority.port();
    }

    private boolean hostAllowed(String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        String name = host.trim().toLowerCase(Locale.ROOT);
        int portStart = name.startsWith("[") ? name.indexOf("]:") + 1 : name.lastIndexOf(':');
        if (portStart > 0) {
            name = name.substring(0, portStart);
        }
        return allowedHosts.contains(name);
    }

    private static boolean fromLoopback(SocketAddress remote) {
        if (remote == null || remote.hostAddress() == null) {
            return false;
        }
        try {
            // An IP literal: no name lookup happens.
            return InetAddress.getByName(remote.hostAddress()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void keepOnlyProductHeaders(MultiMap headers) {
        for (String name : List.copyOf(headers.names())) {
            if (!RESPONSE_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                headers.remove(name);
            }
        }
    }

    private static boolean isApi(String path) {
        return path != null && (path.startsWith("/api/") || path.equals("/api"));
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private record Refusal(int status, String code, String message) {
        String json() {
            try {
                return JSON.writeValueAsString(Map.of("error", code, "message", message));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
