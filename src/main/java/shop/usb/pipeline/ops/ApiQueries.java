package shop.usb.pipeline.ops;

/** Query values from outside, checked before use: each failure names its field (400). */
final class ApiQueries {

    private ApiQueries() {
    }

    /** The value, or null when it is absent or blank; a longer one is refused. */
    static String text(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > maxLength) {
            throw ApiProblem.badRequest(field, "has at most " + maxLength + " characters");
        }
        return value;
    }

    /** A page size from 1 to {@code max}; {@code byDefault} when absent. */
    static int limit(String value, int byDefault, int max) {
        if (value == null || value.isBlank()) {
            return byDefault;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badRequest("limit", "must be a whole number from 1 to " + max);
    }
}
