package shop.usb.pipeline.ops;

import io.vertx.ext.web.handler.StaticHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.StartupListener;

/**
 * Serves the jobs dashboard (classpath web/) at / on the API server, behind every API route. Only
 * that folder is served: Camel's own static option would also serve any classpath resource.
 */
public class DashboardPages implements StartupListener {

    static final String WEB_ROOT = "web";

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // The router exists once the HTTP server has started; see onCamelContextFullyStarted.
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        int port = Integer.parseInt(context.resolvePropertyPlaceholders("{{camel.server.port}}"));
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                VertxPlatformHttpRouter.getRouterNameFromPort(port));
        router.route("/*").order(Integer.MAX_VALUE).handler(StaticHandler.create(WEB_ROOT));
    }
}
