package shop.usb.pipeline.intake;

import java.util.Map;
import org.apache.camel.Exchange;

/** POST /api/orders: a confirmation is checked against the contract before it is published. */
public class OrderSubmission {

    public static final String BEAN_NAME = "orderSubmission";

    private final OrderConfirmationValidator validator;

    public OrderSubmission(OrderConfirmationValidator validator) {
        this.validator = validator;
    }

    /**
     * Validates the body and keeps it as the text to publish; throws naming every failing field.
     */
    public void check(Exchange exchange) {
        String body = exchange.getMessage().getBody(String.class);
        OrderConfirmation order = validator.validate(body == null ? "" : body);
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setBody(body);
        exchange.setProperty("orderId", order.orderId());
    }

    public Map<String, Object> accepted(Exchange exchange) {
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        return Map.of(
                "orderId", exchange.getProperty("orderId", String.class), "status", "accepted");
    }
}
