package shop.usb.pipeline.ops;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Puts the {@link HttpGate} in front of everything the API server answers (and its Host allow-list
 * in front of the management server's metrics, health and Jolokia), opens the event stream ({@link
 * LiveEvents}), and serves the jobs dashboard (classpath web/: the page, its stylesheet and its ES
 * modules under web/js/) at / behind every API route. Only that folder is served: Camel's own
 * static option would also serve any classpath resource. Vert.x's static handler resolves dots and
 * encoded dots within the folder and types .js as text/javascript, which module scripts need under
 * nosniff.
 */
public class ApiServerSetup implements StartupListener {

    static final String WEB_ROOT = "web";

    private final HttpGate gate;
    private final LiveEvents events;
    private boolean installed;

    public ApiServerSetup(HttpGate gate, LiveEvents events) {
        this.gate = gate;
        this.events = events;
    }

    /**
     * The server listens from here on, before any route starts: the gate is in place before the
     * first route.
     */
    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        install(context);
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        install(context);
    }

    private synchronized void install(CamelContext context) {
        int port = Integer.parseInt(context.resolvePropertyPlaceholders("{{camel.server.port}}"));
        VertxPlatformHttpRouter router =
                VertxPlatformHttpRouter.lookup(
                        context, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (installed || router == null) {
            return;
        }
        router.route("/*").order(Integer.MIN_VALUE).handler(gate);
        int managementPort =
                Integer.parseInt(context.resolvePropertyPlaceholders("{{camel.management.port}}"));
        VertxPlatformHttpRouter management =
                VertxPlatformHttpRouter.lookup(
                        context, VertxPlatformHttpRouter.getRouterNameFromPort(managementPort));
        if (management != null && management != router) {
            management.route("/*").order(Integer.MIN_VALUE).handler(gate::checkHost);
        }
        router.get(LiveEvents.PATH).handler(events);
        router.route("/*")
                .order(Integer.MAX_VALUE)
                .handler(ApiServerSetup::askAgainOnEveryLoad)
                .handler(StaticHandler.create(WEB_ROOT));
        installed = true;
    }

    /**
     * The page and its modules ship in the jar that answers the API: the browser checks them on
     * every load (a 304 while unchanged) instead of keeping them for a day, so after an upgrade no
     * module of the old build runs against the new API or imports from a new module. The static
     * handler sets its own caching only where none is set.
     */
    private static void askAgainOnEveryLoad(RoutingContext context) {
        context.response().putHeader("Cache-Control", "no-cache");
        context.next();
    }
}
