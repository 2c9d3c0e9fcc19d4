package shop.usb.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** A job's log lines become attempt rows (one per run) and the events between them. */
class JobTimelineTest {

    @Test
    void eachRunIsAnAttemptWithItsStagesAndEventsStandBetween() {
        List<JobLogView> lines =
                List.of(
                        line(1, null, "10:00:00.000", "intake", "Order ORD-1 received", null),
                        line(
                                2,
                                "aaaa1111",
                                "10:00:01.000",
                                "intake",
                                "Attempt 1 started on pipeline-1 (run aaaa1111)",
                                null),
                        line(3, "aaaa1111", "10:00:01.010", "validate", "Validating", null),
                        line(
                                4,
                                "aaaa1111",
                                "10:00:01.050",
                                "select-content",
                                "Selecting content",
                                null),
                        line(
                                5,
                                "aaaa1111",
                                "10:00:01.200",
                                "write-usb",
                                "Writing 3 files (120 bytes) to /usb/slot-1, stick X",
                                null),
                        line(
                                6,
                                null,
                                "10:00:01.300",
                                "intake",
                                "Cancel requested by anna; stopping at the next checkpoint",
                                null),
                        line(
                                7,
                                "aaaa1111",
                                "10:00:02.200",
                                "write-usb",
                                "The stick was full",
                                "USB_FULL"),
                        line(
                                8,
                                null,
                                "10:00:05.000",
                                "intake",
                                "Queued again by ci after 1 attempts",
                                null),
                        line(
                                9,
                                "bbbb2222",
                                "10:00:06.000",
                                "intake",
                                "Attempt 1 started on pipeline-2 (run bbbb2222)",
                                null),
                        line(10, "bbbb2222", "10:00:06.100", "validate", "Validating", null),
                        line(11, "bbbb2222", "10:00:06.400", "done", "Completed", null));

        List<JobTimeline.Row> rows = JobTimeline.of(lines).rows();

        assertThat(rows)
                .extracting(
                        row ->
                                row.attempt() != null
                                        ? "attempt " + row.attempt().number()
                                        : row.event().message())
                .containsExactly(
                        "Order ORD-1 received",
                        "attempt 1",
                        "Cancel requested by anna; stopping at the next checkpoint",
                        "Queued again by ci after 1 attempts",
                        "attempt 2");
        JobTimeline.Attempt first = rows.get(1).attempt();
        assertThat(first.run()).isEqualTo("aaaa1111");
        assertThat(first.durationMs()).isEqualTo(1200);
        assertThat(first.stages())
                .extracting(JobTimeline.StageSpan::stage, JobTimeline.StageSpan::durationMs)
                .containsExactly(
                        Tuple.tuple("validate", 40L),
                        Tuple.tuple("select-content", 150L),
                        Tuple.tuple("write-usb", 1000L));
        assertThat(first.where()).contains("/usb/slot-1");
        assertThat(first.errorCode()).isEqualTo("USB_FULL");
        assertThat(first.error()).isEqualTo("The stick was full");
        JobTimeline.Attempt second = rows.get(4).attempt();
        assertThat(second.stages())
                .extracting(JobTimeline.StageSpan::stage)
                .containsExactly("validate");
        assertThat(second.stages().get(0).durationMs()).isEqualTo(300);
        assertThat(second.errorCode()).isNull();
        assertThat(second.outcome()).isEqualTo("Completed");
    }

    private static JobLogView line(
            long id, String run, String time, String stage, String message, String errorCode) {
        return new JobLogView(
                id,
                run,
                "2026-12-01T" + time + "Z",
                errorCode == null ? JobLogLevel.INFO : JobLogLevel.WARN,
                stage,
                message,
                errorCode);
    }
}
