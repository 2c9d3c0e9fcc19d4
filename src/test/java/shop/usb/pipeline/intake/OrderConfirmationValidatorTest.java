package shop.usb.pipeline.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static shop.usb.pipeline.support.Orders.order;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import shop.usb.pipeline.content.ContentRequest;
import shop.usb.pipeline.content.OrderLimits;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.intake.OrderConfirmation.Priority;

class OrderConfirmationValidatorTest {

    private final OrderConfirmationValidator validator =
            new OrderConfirmationValidator(
                    new ObjectMapper(), new OrderLimits(100, 1000, 1L << 40));

    @Test
    void validConfirmationIsReadWithDefaults() {
        OrderConfirmation order =
                validator.validate(
                        order("ORD-1").collection("music/salsa").without("priority").json());

        assertThat(order.orderId()).isEqualTo("ORD-1");
        assertThat(order.priority()).isEqualTo(Priority.NORMAL);
        assertThat(order.capacityBytes()).isEqualTo(16_000_000_000L);
        assertThat(order.content())
                .singleElement()
                .satisfies(
                        c -> {
                            assertThat(c.kind()).isEqualTo(ContentRequest.Kind.COLLECTION);
                            assertThat(c.field()).isEqualTo("content[0].collection");
                        });
    }

    @Test
    void everyFailingFieldIsNamed() {
        String json =
                order("ORD 1")
                        .set("confirmedAt", "2026-13-01")
                        .set("priority", "urgent")
                        .capacity(-5)
                        .json();

        assertRefusedNaming(
                json, "orderId", "confirmedAt", "priority", "usb.capacityBytes", "content");
    }

    @Test
    void contentEntryNeedsExactlyOneKindAndASafePath() {
        String json =
                "{\"orderId\":\"A\",\"confirmedAt\":\"2026-11-22T10:00:00Z\",\"usb\":{\"capacityBytes\":1},"
                        + "\"content\":[{\"collection\":\"a\",\"file\":\"b\"},{\"file\":\"x\\u0000y\"},{\"file\":\"\"}]}";

        assertRefusedNaming(json, "content[0]", "content[1].file", "content[2].file");
    }

    @Test
    void dotOrderIdsCannotNameAFolder() {
        assertThat(
                        OrderConfirmationValidator.usableOrderId(
                                validator.parse("{\"orderId\":\"..\"}")))
                .isEmpty();
        assertThat(
                        OrderConfirmationValidator.usableOrderId(
                                validator.parse("{\"orderId\":\"a..b\"}")))
                .contains("a..b");
    }

    @Test
    void textThatIsNotJsonIsNotJson() {
        assertThatThrownBy(() -> validator.parse("{orderId"))
                .isInstanceOfSatisfying(
                        JobFailure.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_JSON));
    }

    @Test
    void publishedExamplesMatchTheContract() throws Exception {
        List<Path> examples;
        try (Stream<Path> files = Files.list(Path.of("config/examples"))) {
            examples =
                    files.filter(p -> p.getFileName().toString().startsWith("order-confirmation"))
                            .toList();
        }

        assertThat(examples).hasSize(3);
        for (Path example : examples) {
            assertThat(validator.validate(Files.readString(example)).orderId()).startsWith("ORD-");
        }
    }

    @Test
    void anOrderIdThatCannotNameAFolderOnAStickIsRefusedSayingWhy() {
        for (String id :
                List.of(".Trashes", ".fseventsd", "ORD.", "CON", "nul", "Com1.txt", "LPT9")) {
            assertRefusedSaying(
                    order(id).collection("music").json(),
                    "orderId",
                    id.startsWith(".") || id.endsWith(".") ? "'.'" : "reserves");
        }
        assertThat(validator.validate(order("CONSOLE-1").collection("music").json()).orderId())
                .isEqualTo("CONSOLE-1");
    }

    @Test
    void aLabelLongerThanTheRowsKeepIsRefusedAtIntake() throws Exception {
        ObjectMapper json = new ObjectMapper();
        var order = (ObjectNode) json.readTree(order("ORD-LABEL").collection("music").json());
        ((ObjectNode) order.get("usb")).put("label", "x".repeat(65));

        assertRefusedSaying(json.writeValueAsString(order), "usb.label", "at most 64");
    }

    /** The validator refuses {@code json} for one field only, with a reason saying {@code why}. */
    private void assertRefusedSaying(String json, String field, String why) {
        assertThatThrownBy(() -> validator.validate(json))
                .as(json)
                .isInstanceOfSatisfying(
                        InvalidOrderException.class,
                        e ->
                                assertThat(e.errors())
                                        .singleElement()
                                        .satisfies(
                                                error -> {
                                                    assertThat(error.field()).isEqualTo(field);
                                                    assertThat(error.reason()).contains(why);
                                                }));
    }

    /** The validator refuses {@code json} naming exactly these fields, in this order. */
    private void assertRefusedNaming(String json, String... fields) {
        assertThatThrownBy(() -> validator.validate(json))
                .isInstanceOfSatisfying(
                        InvalidOrderException.class,
                        e ->
                                assertThat(e.errors())
                                        .extracting(FieldError::field)
                                        .containsExactly(fields));
    }
}
