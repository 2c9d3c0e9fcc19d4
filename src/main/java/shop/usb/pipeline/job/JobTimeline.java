package shop.usb.pipeline.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A job's story as rows, in the order it happened: each attempt (the lines one run wrote) with its
 * stages, start, end and duration, where it wrote and the error it ended with; between them the
 * events no run wrote (the order received, an operator's cancel or retry naming who, a recovery).
 * Built from the job's log lines, which say which run wrote each.
 */
public record JobTimeline(List<Row> rows) {

    /** How the write stage's line naming the slot and the stick begins. */
    public static final String WRITING = "Writing ";

    /** An attempt ({@code attempt} set) or an event ({@code event} set). */
    public record Row(Attempt attempt, Event event) {}

    public record Event(String at, JobLogLevel level, String message) {}

    /**
     * {@code where}: the write stage's line naming the slot and stick; {@code error}: the last
     * error.
     */
    public record Attempt(
            int number,
            String run,
            String startedAt,
            String endedAt,
            long durationMs,
            List<StageSpan> stages,
            String where,
            String errorCode,
            String error,
            String outcome) {}

    public record StageSpan(String stage, String startedAt, String endedAt, long durationMs) {}

    /**
     * The timeline of these lines, oldest first as the log API gives them. An attempt takes its
     * place at its first line; an event during it (a cancel request) is a row of its own after it.
     */
    public static JobTimeline of(List<JobLogView> lines) {
        List<Row> rows = new ArrayList<>();
        Set<String> runsShown = new HashSet<>();
        int attempts = 0;
        for (JobLogView line : lines) {
            if (line.run() == null) {
                rows.add(new Row(null, new Event(line.at(), line.level(), line.message())));
            } else if (runsShown.add(line.run())) {
                rows.add(
                        new Row(
                                attempt(
                                        ++attempts,
                                        lines.stream()
                                                .filter(l -> line.run().equals(l.run()))
                                                .toList()),
                                null));
            }
        }
        return new JobTimeline(rows);
    }

    private static Attempt attempt(int number, List<JobLogView> lines) {
        JobLogView first = lines.get(0);
        JobLogView last = lines.get(lines.size() - 1);
        List<StageSpan> stages = new ArrayList<>();
        String where = null;
        String errorCode = null;
        String error = null;
        for (int i = 0; i < lines.size(); i++) {
            JobLogView line = lines.get(i);
            if (line.errorCode() != null) {
                errorCode = line.errorCode();
                error = line.message();
            }
            if (where == null
                    && Stage.WRITE_USB.label().equals(line.stage())
                    && line.message().startsWith(WRITING)) {
                where = line.message();
            }
            boolean startsStage = i == 0 || !line.stage().equals(lines.get(i - 1).stage());
            if (startsStage && isWork(line.stage())) {
                int next = i + 1;
                while (next < lines.size() && lines.get(next).stage().equals(line.stage())) {
                    next++;
                }
                String endedAt = (next < lines.size() ? lines.get(next) : last).at();
                stages.add(
                        new StageSpan(
                                line.stage(), line.at(), endedAt, millis(line.at(), endedAt)));
            }
        }
        return new Attempt(
                number,
                first.run(),
                first.at(),
                last.at(),
                millis(first.at(), last.at()),
                stages,
                where,
                errorCode,
                error,
                last.message());
    }

    /** The four stages of work; intake (the attempt's start) and done (its end) take no time. */
    private static boolean isWork(String stage) {
        return !Stage.INTAKE.label().equals(stage) && !Stage.DONE.label().equals(stage);
    }

    private static long millis(String from, String to) {
        return Duration.between(Instant.parse(from), Instant.parse(to)).toMillis();
    }
}
