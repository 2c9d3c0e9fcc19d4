package shop.usb.pipeline.benchmark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The benchmark's result table: each figure next to its baseline and target. */
final class Figures {

    private final List<String[]> rows = new ArrayList<>();

    static double percentile(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    static String format(String pattern, Object... values) {
        return String.format(Locale.ROOT, pattern, values);
    }

    void add(
            String what,
            String figure,
            String baseline,
            String ratio,
            String target,
            String verdict) {
        rows.add(new String[] {what, figure, baseline, ratio, target, verdict});
    }

    String table() {
        StringBuilder out = new StringBuilder();
        out.append("| what | figure | baseline (same run) | figure / baseline | target | met |\n");
        out.append("|---|---|---|---|---|---|\n");
        for (String[] row : rows) {
            out.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return out.toString();
    }
}
