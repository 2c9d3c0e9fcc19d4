package shop.usb.pipeline.health;

import java.time.Instant;

/** Work refused because the broker is known to be away (an HTTP submit answers 503 at once). */
public class BrokerAwayException extends RuntimeException {

    public BrokerAwayException(Instant since) {
        super("The broker cannot be reached since " + since + "; try again shortly");
    }
}
