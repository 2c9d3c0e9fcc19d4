package shop.usb.pipeline.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import shop.usb.pipeline.job.JobStatistics;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.metrics.PipelineMetrics;
import shop.usb.pipeline.station.SlotViews;

/**
 * GET /api/charts: what the dashboard's charts draw, from the same sources as the rest of the API
 * and the metrics: jobs completed per minute over the last hour (the job table, every instance's),
 * each stage's p50 and p95 (the pipeline_stage_duration_seconds histogram of /observe/metrics, this
 * instance's), failed jobs by error code (as GET /api/stats counts them) and this station's slots
 * by state (as GET /api/slots shows them).
 */
public class DashboardCharts {

    public static final String BEAN_NAME = "dashboardCharts";
    static final int THROUGHPUT_MINUTES = 60;

    private final JobStatistics statistics;
    private final PipelineMetrics metrics;
    private final SlotViews slotViews;

    public DashboardCharts(JobStatistics statistics, PipelineMetrics metrics, SlotViews slots) {
        this.statistics = statistics;
        this.metrics = metrics;
        this.slotViews = slots;
    }

    public Map<String, Object> charts() {
        Map<String, Long> failures = new TreeMap<>();
        for (JobStatistics.ErrorCount row : statistics.errorCounts()) {
            if (row.status() == JobStatus.FAILED) {
                failures.put(row.errorCode(), row.jobs());
            }
        }
        Map<String, Long> slots = new LinkedHashMap<>();
        for (String state : List.of("WRITING", "DONE", "READY", "EMPTY", "FAULTY")) {
            slots.put(state, 0L);
        }
        slotViews.views().forEach(slot -> slots.merge(slot.state(), 1L, Long::sum));
        long total = slots.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Object> charts = new LinkedHashMap<>();
        charts.put("throughput", statistics.completedPerMinute(THROUGHPUT_MINUTES));
        charts.put("stages", metrics.stageTimes());
        charts.put("failures", failures);
        charts.put("slots", slots);
        charts.put("slotUtilisation", total == 0 ? null : (double) slots.get("WRITING") / total);
        return charts;
    }
}
