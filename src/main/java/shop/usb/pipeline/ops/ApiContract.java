package shop.usb.pipeline.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.camel.Exchange;

/**
 * GET /api/openapi.json: the contract, read from the classpath on the first request and kept. A
 * simple expression ("resource:classpath:…") would parse its 70 KB as a template while the route is
 * built, which took most of a second of every start.
 */
public class ApiContract {

    private static final String RESOURCE = "/openapi.json";
    private volatile String json;

    public String json(Exchange exchange) {
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        String read = json;
        if (read == null) {
            read = read();
            json = read;
        }
        return read;
    }

    private static String read() {
        try (InputStream in = ApiContract.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
