package shop.usb.pipeline.benchmark;

import static shop.usb.pipeline.benchmark.Figures.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts to ready, each with the phases the product logged for it ("Startup phases: …", see
 * StartupPhases), and the median of each over the starts.
 */
final class StartupTimes {

    private static final String PREFIX = "Startup phases:";
    private static final Pattern PHASE = Pattern.compile("(?:: |, )([^,:]+?) (\\d+\\.\\d+) s");

    private final List<Long> readyMillis = new ArrayList<>();
    private final Map<String, List<Long>> phaseMillis = new LinkedHashMap<>();

    /** One start that took {@code millis} to ready; its phases are the log's last such line. */
    void add(long millis, Path productLog) throws IOException {
        readyMillis.add(millis);
        String line =
                Files.readAllLines(productLog).stream()
                        .filter(candidate -> candidate.contains(PREFIX))
                        .reduce((first, second) -> second)
                        .orElseThrow(() -> new IllegalStateException("no startup phases logged"));
        Matcher phase = PHASE.matcher(line.substring(line.indexOf(PREFIX) + PREFIX.length()));
        while (phase.find()) {
            phaseMillis
                    .computeIfAbsent(phase.group(1).trim(), name -> new ArrayList<>())
                    .add(Math.round(Double.parseDouble(phase.group(2)) * 1000));
        }
    }

    double medianReadySeconds() {
        return median(readyMillis) / 1000.0;
    }

    List<Long> readyMillis() {
        return readyMillis;
    }

    /** Each phase's median over the starts, in seconds, in the order the log gives them. */
    Map<String, Double> medianPhaseSeconds() {
        Map<String, Double> medians = new LinkedHashMap<>();
        phaseMillis.forEach((name, millis) -> medians.put(name, median(millis) / 1000.0));
        return medians;
    }

    /** Adds one line per phase under the start's own line. */
    void addPhasesTo(Figures figures, String label) {
        medianPhaseSeconds()
                .forEach(
                        (phase, seconds) ->
                                figures.add(
                                        format("  %s: %s (median)", label, phase),
                                        format("%.2f s", seconds),
                                        "",
                                        "",
                                        "",
                                        ""));
    }

    private static double median(List<Long> values) {
        return Figures.percentile(values.stream().mapToLong(Long::longValue).toArray(), 50);
    }
}
