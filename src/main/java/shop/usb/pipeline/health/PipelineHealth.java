package shop.usb.pipeline.health;

import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import shop.usb.pipeline.health.HealthReport.Issue;
import shop.usb.pipeline.health.HealthReport.Status;
import shop.usb.pipeline.job.JobFigures;
import shop.usb.pipeline.job.JobStatistics;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.StatusSummary;
import shop.usb.pipeline.station.SlotAllocator;
import shop.usb.pipeline.station.SlotAllocator.MountState;

/**
 * Judges the pipeline healthy, degraded or unhealthy: the parts it needs (database, broker, USB
 * mounts) and how its jobs fare (success rate, stalled jobs, backlog, oldest waiting job).
 */
public class PipelineHealth {

    public static final String BEAN_NAME = "pipelineHealth";
    private static final int PROBE_TIMEOUT_SECONDS = 2;

    private final JobStatistics statistics;
    private final DataSource dataSource;
    private final BrokerWatch broker;
    private final SlotAllocator mounts;
    private final HealthThresholds limits;
    private final Clock clock;

    public PipelineHealth(
            JobStatistics statistics,
            DataSource dataSource,
            BrokerWatch broker,
            SlotAllocator mounts,
            HealthThresholds limits,
            Clock clock) {
        this.statistics = statistics;
        this.dataSource = dataSource;
        this.broker = broker;
        this.mounts = mounts;
        this.limits = limits;
        this.clock = clock;
    }

    public HealthReport evaluate() {
        List<Issue> issues = new ArrayList<>();
        databaseProblem()
                .ifPresentOrElse(
                        problem ->
                                issues.add(
                                        new Issue(
                                                "database",
                                                "unreachable",
                                                "reachable",
                                                Status.unhealthy,
                                                problem)),
                        () -> judgeJobs(issues));
        brokerProblem()
                .ifPresent(
                        problem ->
                                issues.add(
                                        new Issue(
                                                "broker",
                                                "unreachable",
                                                "reachable",
                                                Status.unhealthy,
                                                problem)));
        judgeMounts(issues);
        return HealthReport.of(issues);
    }

    /** GET /api/health: the report, with status 503 when the pipeline is unhealthy. */
    public HealthReport answer(Exchange exchange) {
        HealthReport report = evaluate();
        exchange.getMessage()
                .setHeader(
                        Exchange.HTTP_RESPONSE_CODE,
                        report.status() == Status.unhealthy ? 503 : 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        return report;
    }

    public Optional<String> databaseProblem() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(PROBE_TIMEOUT_SECONDS)
                    ? Optional.empty()
                    : Optional.of(
                            "The database did not answer within " + PROBE_TIMEOUT_SECONDS + " s");
        } catch (Exception e) {
            return Optional.of("The database cannot be reached: " + e.getMessage());
        }
    }

    public Optional<String> brokerProblem() {
        return broker.problem();
    }

    public List<MountState> mountStates() {
        return mounts.states();
    }

    private void judgeJobs(List<Issue> issues) {
        JobFigures figures = statistics.figures(limits.stalledAfter());
        StatusSummary summary = statistics.statusSummary();
        Double rate = figures.successRateLastHour();
        if (rate != null) {
            String figure = String.format(Locale.ROOT, "%.1f%%", rate * 100);
            String ended =
                    " of "
                            + (figures.completedLastHour() + figures.failedLastHour())
                            + " jobs that ended in the last hour completed";
            if (rate < limits.successRateUnhealthyBelow()) {
                issues.add(
                        new Issue(
                                "success-rate-last-hour",
                                figure,
                                percent(limits.successRateUnhealthyBelow()),
                                Status.unhealthy,
                                figure + ended));
            } else if (rate < limits.successRateDegradedBelow()) {
                issues.add(
                        new Issue(
                                "success-rate-last-hour",
                                figure,
                                percent(limits.successRateDegradedBelow()),
                                Status.degraded,
                                figure + ended));
            }
        }
        long stalled = figures.stalled();
        String stalledMessage =
                stalled + " PROCESSING jobs have sent no heartbeat for " + limits.stalledAfter();
        if (stalled > limits.stalledUnhealthyAbove()) {
            issues.add(
                    new Issue(
                            "stalled-jobs",
                            stalled,
                            "> " + limits.stalledUnhealthyAbove(),
                            Status.unhealthy,
                            stalledMessage));
        } else if (stalled > limits.stalledDegradedAbove()) {
            issues.add(
                    new Issue(
                            "stalled-jobs",
                            stalled,
                            "> " + limits.stalledDegradedAbove(),
                            Status.degraded,
                            stalledMessage));
        }
        long queued = summary.count(JobStatus.QUEUED);
        if (queued > limits.backlogDegradedAbove()) {
            issues.add(
                    new Issue(
                            "queued-backlog",
                            queued,
                            "> " + limits.backlogDegradedAbove(),
                            Status.degraded,
                            queued + " jobs are QUEUED"));
        }
        if (figures.oldestQueuedAt() != null) {
            Duration age = Duration.between(figures.oldestQueuedAt(), clock.instant());
            if (age.compareTo(limits.oldestQueuedDegradedAfter()) > 0) {
                issues.add(
                        new Issue(
                                "oldest-queued-age",
                                age.toSeconds() + " s",
                                "> " + limits.oldestQueuedDegradedAfter().toSeconds() + " s",
                                Status.degraded,
                                "The oldest QUEUED job has waited " + age.toSeconds() + " s"));
            }
        }
    }

    private void judgeMounts(List<Issue> issues) {
        List<MountState> states = mounts.states();
        List<String> problems =
                states.stream().filter(s -> s.problem() != null).map(MountState::problem).toList();
        if (problems.isEmpty()) {
            return;
        }
        String figure = problems.size() + " of " + states.size() + " unusable";
        Status severity = problems.size() == states.size() ? Status.unhealthy : Status.degraded;
        issues.add(
                new Issue(
                        "usb-mounts", figure, "all usable", severity, String.join("; ", problems)));
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "< %.0f%%", fraction * 100);
    }
}
