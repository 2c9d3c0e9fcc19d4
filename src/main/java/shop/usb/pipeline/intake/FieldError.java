package shop.usb.pipeline.intake;

/** One reason a confirmation was refused: the JSON path of the field and what is wrong with it. */
public record FieldError(String field, String reason) {

    @Override
    public String toString() {
        return field + ": " + reason;
    }
}
