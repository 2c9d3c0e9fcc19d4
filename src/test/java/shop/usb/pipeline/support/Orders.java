package shop.usb.pipeline.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;

/** Builds order confirmations for tests; starts from a valid one and changes what a test needs. */
public final class Orders {

    /** The queue shops send their confirmations to. */
    public static final String ORDERS = "orders.confirmed";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final ObjectNode root = MAPPER.createObjectNode();
    private final ArrayNode content;

    private Orders(String orderId) {
        root.put("orderId", orderId);
        root.put("confirmedAt", "2026-11-22T10:00:00Z");
        root.put("priority", "normal");
        root.putObject("customer").put("name", "Ana").put("phone", "+570000000");
        root.putObject("usb").put("capacityBytes", 16_000_000_000L).put("label", "ANA-MIX");
        content = root.putArray("content");
    }

    /**
     * An order id no other test uses, so tests sharing one product do not see each other's jobs.
     */
    public static String newOrderId() {
        return "ORD-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static Orders order(String orderId) {
        return new Orders(orderId);
    }

    public Orders collection(String path) {
        content.addObject().put("collection", path);
        return this;
    }

    public Orders file(String path) {
        content.addObject().put("file", path);
        return this;
    }

    public Orders capacity(long bytes) {
        ((ObjectNode) root.get("usb")).put("capacityBytes", bytes);
        return this;
    }

    public Orders customer(String name) {
        ((ObjectNode) root.get("customer")).put("name", name);
        return this;
    }

    public Orders set(String field, String value) {
        root.put(field, value);
        return this;
    }

    public Orders without(String field) {
        root.remove(field);
        return this;
    }

    public String json() {
        return root.toString();
    }
}
