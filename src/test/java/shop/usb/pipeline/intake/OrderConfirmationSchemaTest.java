package shop.usb.pipeline.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import shop.usb.pipeline.content.OrderLimits;
import shop.usb.pipeline.support.JsonSchemas;

/**
 * The message contract is written twice: config/order-confirmation.schema.json for the shops, and
 * OrderConfirmationValidator, which names each failing field. A corpus of valid and invalid orders
 * touching every rule of the schema goes through both, and both must give the verdict the case
 * expects.
 */
class OrderConfirmationSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Schema SCHEMA = JsonSchemas.load("order-confirmation");

    private final OrderConfirmationValidator validator =
            new OrderConfirmationValidator(JSON, new OrderLimits(100, 1000, 1L << 40));

    @ParameterizedTest(name = "{0}")
    @MethodSource("agreed")
    void schemaAndValidatorGiveTheSameVerdict(String name, String json, boolean valid) {
        assertThat(schemaAccepts(json)).as("schema accepts").isEqualTo(valid);
        assertThat(validatorAccepts(json)).as("validator accepts").isEqualTo(valid);
    }

    static Stream<Arguments> agreed() {
        return Stream.of(
                valid("the fixture order", base()),
                valid("only the required fields", without("priority", "customer")),
                valid("usb without a label", edit(o -> usb(o).remove("label"))),
                valid("orderId of 64 characters", with("orderId", "A".repeat(64))),
                valid("orderId of dots, dashes and underscores", with("orderId", "a.b_c-D9")),
                invalid("orderId of three dots", with("orderId", "...")),
                invalid("orderId of a stick's housekeeping", with("orderId", ".Trashes")),
                invalid("orderId ending with a dot", with("orderId", "ORD.")),
                invalid("orderId a FAT device name", with("orderId", "CON")),
                invalid("orderId a FAT device name with an extension", with("orderId", "com1.txt")),
                valid("orderId that only starts like a device name", with("orderId", "CONSOLE-1")),
                valid("label of 64 characters", edit(o -> usb(o).put("label", "x".repeat(64)))),
                invalid("label of 65 characters", edit(o -> usb(o).put("label", "x".repeat(65)))),
                valid("priority low", with("priority", "low")),
                valid("priority normal", with("priority", "normal")),
                valid("priority high", with("priority", "high")),
                valid("confirmedAt in lower case", with("confirmedAt", "2026-11-22t10:00:00z")),
                valid(
                        "confirmedAt with fraction and offset",
                        with("confirmedAt", "2026-11-22T10:00:00.123+05:30")),
                valid("capacityBytes of 1", edit(o -> usb(o).put("capacityBytes", 1))),
                valid("capacityBytes above 2^31", edit(o -> usb(o).put("capacityBytes", 1L << 40))),
                valid("customer as an empty object", edit(o -> o.putObject("customer"))),
                // An optional field set to null is absent.
                valid("priority null", edit(o -> o.putNull("priority"))),
                valid("customer null", edit(o -> o.putNull("customer"))),
                valid("customer name null", edit(o -> customer(o).putNull("name"))),
                valid("usb label null", edit(o -> usb(o).putNull("label"))),
                invalid("customer a string", with("customer", "Ana")),
                invalid("customer phone a number", edit(o -> customer(o).put("phone", 57))),
                // A whole number however written, within a long.
                valid("capacityBytes 1.0", edit(o -> usb(o).put("capacityBytes", 1.0))),
                invalid(
                        "capacityBytes beyond a long",
                        edit(o -> usb(o).put("capacityBytes", BigInteger.TEN.pow(20)))),
                invalid("content path of spaces only", order("ORD-1").file("   ").json()),
                // RFC 3339: seconds and a T.
                invalid("confirmedAt without seconds", with("confirmedAt", "2026-11-22T10:00Z")),
                invalid(
                        "confirmedAt with a space for T",
                        with("confirmedAt", "2026-11-22 10:00:00Z")),
                valid("customer name may be empty", edit(o -> customer(o).put("name", ""))),
                valid(
                        "collections and files mixed",
                        order("ORD-1").collection("music/salsa").file("movies/coco.mp4").json()),
                valid(
                        "the same entry twice",
                        order("ORD-1").file("movies/coco.mp4").file("movies/coco.mp4").json()),
                valid(
                        "a path with spaces and letters beyond ASCII",
                        order("ORD-1").file("música/año 1.mp3").json()),
                valid("an unknown top-level field", edit(o -> o.put("note", "gift"))),
                valid("an unknown field in usb", edit(o -> usb(o).put("vendor", "Acme"))),
                valid("an unknown field in customer", edit(o -> customer(o).put("email", "a@b"))),
                valid(
                        "an unknown field in a content entry",
                        edit(o -> entry(o).put("comment", "for Ana"))),
                invalid("a JSON array", "[]"),
                invalid("a JSON string", "\"ORD-1\""),
                invalid("without orderId", without("orderId")),
                invalid("without confirmedAt", without("confirmedAt")),
                invalid("without usb", without("usb")),
                invalid("without content", without("content")),
                invalid("orderId null", edit(o -> o.putNull("orderId"))),
                invalid("orderId a number", edit(o -> o.put("orderId", 42))),
                invalid("orderId empty", with("orderId", "")),
                invalid("orderId of 65 characters", with("orderId", "A".repeat(65))),
                invalid("orderId with a space", with("orderId", "ORD 1")),
                invalid("orderId with a slash", with("orderId", "ORD/1")),
                invalid("orderId '.'", with("orderId", ".")),
                invalid("orderId '..'", with("orderId", "..")),
                invalid("orderId with a trailing newline", with("orderId", "ORD-1\n")),
                invalid("confirmedAt a number", edit(o -> o.put("confirmedAt", 1_700_000_000))),
                invalid("confirmedAt not a time", with("confirmedAt", "yesterday")),
                invalid("confirmedAt a date only", with("confirmedAt", "2026-11-22")),
                invalid("confirmedAt without offset", with("confirmedAt", "2026-11-22T10:00:00")),
                invalid("confirmedAt month 13", with("confirmedAt", "2026-13-01T10:00:00Z")),
                invalid("confirmedAt a leap second", with("confirmedAt", "2026-12-31T23:59:60Z")),
                invalid("priority not in the list", with("priority", "urgent")),
                invalid("priority in capitals", with("priority", "HIGH")),
                invalid("priority a number", edit(o -> o.put("priority", 1))),
                invalid("customer name a number", edit(o -> customer(o).put("name", 42))),
                invalid("usb a string", with("usb", "16GB")),
                invalid("usb without capacityBytes", edit(o -> usb(o).remove("capacityBytes"))),
                invalid("capacityBytes 0", edit(o -> usb(o).put("capacityBytes", 0))),
                invalid("capacityBytes negative", edit(o -> usb(o).put("capacityBytes", -1))),
                invalid("capacityBytes a string", edit(o -> usb(o).put("capacityBytes", "16"))),
                invalid("capacityBytes a fraction", edit(o -> usb(o).put("capacityBytes", 1.5))),
                invalid("usb label a number", edit(o -> usb(o).put("label", 5))),
                invalid("content an object", edit(o -> o.putObject("content"))),
                invalid("content empty", edit(o -> o.putArray("content"))),
                invalid("content entry a string", edit(o -> o.putArray("content").add("music"))),
                invalid(
                        "content entry with neither key",
                        edit(o -> o.putArray("content").addObject())),
                invalid(
                        "content entry with both keys",
                        edit(o -> entry(o).put("collection", "music/salsa"))),
                invalid("content file empty", order("ORD-1").file("").json()),
                invalid("content file a number", edit(o -> entry(o).put("file", 5))),
                invalid("content file null", edit(o -> entry(o).putNull("file"))),
                invalid(
                        "content path with a backslash",
                        order("ORD-1").file("music\\x.mp3").json()),
                invalid(
                        "content path with a control character",
                        order("ORD-1").file("music/\u0001.mp3").json()),
                invalid("content path with DEL", order("ORD-1").file("music/\u007f.mp3").json()),
                invalid(
                        "content path with a trailing newline",
                        order("ORD-1").file("music\n").json()));
    }

    private boolean schemaAccepts(String json) {
        return SCHEMA.validate(json, InputFormat.JSON).isEmpty();
    }

    private boolean validatorAccepts(String json) {
        try {
            validator.validate(json);
            return true;
        } catch (InvalidOrderException e) {
            return false;
        }
    }

    private static Arguments valid(String name, String json) {
        return Arguments.of(name, json, true);
    }

    private static Arguments invalid(String name, String json) {
        return Arguments.of(name, json, false);
    }

    /** A valid order with one file; the cases change it. */
    private static String base() {
        return order("ORD-1").file("music/jazz/01-so-what.mp3").json();
    }

    private static String edit(Consumer<ObjectNode> change) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(base());
            change.accept(root);
            return root.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String with(String field, String value) {
        return edit(o -> o.put(field, value));
    }

    private static String without(String... fields) {
        return edit(o -> o.remove(List.of(fields)));
    }

    private static ObjectNode usb(ObjectNode order) {
        return (ObjectNode) order.get("usb");
    }

    private static ObjectNode customer(ObjectNode order) {
        return (ObjectNode) order.get("customer");
    }

    private static ObjectNode entry(ObjectNode order) {
        return (ObjectNode) order.get("content").get(0);
    }
}
