package shop.usb.pipeline.intake;

import java.util.List;

/** One reason a confirmation was refused: the JSON path of the field and what is wrong with it. */
public record FieldError(String field, String reason) {

    /**
     * Errors kept for one order: a hostile one of a million bad content entries costs this many,
     * and one more saying so.
     */
    public static final int MAX_PER_ORDER = 20;

    /** Adds the error while fewer than the limit are kept; false once the list is full. */
    public static boolean add(List<FieldError> errors, FieldError error) {
        if (errors.size() < MAX_PER_ORDER) {
            errors.add(error);
            return true;
        }
        if (errors.size() == MAX_PER_ORDER) {
            errors.add(new FieldError(error.field(), "and more errors like these, not listed"));
        }
        return false;
    }

    @Override
    public String toString() {
        return field + ": " + reason;
    }
}
