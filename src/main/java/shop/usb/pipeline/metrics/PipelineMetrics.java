package shop.usb.pipeline.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.apache.camel.Header;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.job.DeadLetter;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.station.NoStickReadyException;

/**
 * The product's own meters, in the registry Camel's Prometheus endpoint scrapes (/observe/metrics):
 * job counters, stage timers by outcome, and gauges read from the job table when scraped.
 */
public class PipelineMetrics {

    public static final String BEAN_NAME = "pipelineMetrics";

    /**
     * How a stage ended, as the {@code outcome} tag of the stage timer; SUPERSEDED: its run lost
     * the job; WAITING: no fitting stick was ready.
     */
    public enum Outcome {
        COMPLETED,
        FAILED,
        RETRYING,
        CANCELLED,
        SUPERSEDED,
        WAITING;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final Counter created;
    private final Counter completed;
    private final Counter cancelled;
    private final Counter bytesWritten;
    private final AtomicInteger active = new AtomicInteger();
    private final Map<String, AtomicLong> writeSpeeds = new ConcurrentHashMap<>();
    private final MultiGauge waiting;

    public PipelineMetrics(
            MeterRegistry registry, StatusCounts counts, List<Path> mounts, Clock clock) {
        this.registry = registry;
        // Not "created": Prometheus reserves the _created suffix for a counter's creation time.
        this.created =
                Counter.builder("pipeline.jobs.received")
                        .description("Jobs created from confirmations")
                        .register(registry);
        this.completed =
                Counter.builder("pipeline.jobs.completed")
                        .description("Jobs verified on a drive")
                        .register(registry);
        this.cancelled =
                Counter.builder("pipeline.jobs.cancelled")
                        .description("Jobs cancelled by an operator")
                        .register(registry);
        this.bytesWritten =
                Counter.builder("pipeline.bytes.written")
                        .description("Bytes written to USB drives by completed write stages")
                        .register(registry);
        for (JobStatus status : JobStatus.values()) {
            // Gauges hold their object weakly unless told otherwise; nothing else holds these.
            Gauge.builder("pipeline.jobs", counts, c -> c.count(status))
                    .tag("status", status.name())
                    .strongReference(true)
                    .description("Jobs per status, in the job table")
                    .register(registry);
        }
        this.waiting =
                MultiGauge.builder("pipeline.jobs.waiting")
                        .description("Jobs waiting for a stick, by the size class they wait for")
                        .register(registry);
        Gauge.builder("pipeline.jobs.active", active, AtomicInteger::get)
                .strongReference(true)
                .description("Jobs this instance is running now")
                .register(registry);
        Gauge.builder(
                        "pipeline.queue.oldest.age",
                        counts,
                        c -> {
                            Instant oldest = c.oldestQueuedAt();
                            return oldest == null
                                    ? 0
                                    : Duration.between(oldest, clock.instant()).toMillis() / 1000.0;
                        })
                .baseUnit("seconds")
                .strongReference(true)
                .description("Age of the oldest QUEUED job, 0 when none waits")
                .register(registry);
        for (Path mount : mounts) {
            Gauge.builder("pipeline.usb.free", mount, PipelineMetrics::freeBytes)
                    .baseUnit("bytes")
                    .strongReference(true)
                    .tag("mount", mount.toString())
                    .description("Usable bytes on a USB mount, NaN when unplugged")
                    .register(registry);
        }
    }

    /**
     * The pipeline verdict (0 healthy, 1 degraded, 2 unhealthy) as a gauge, evaluated at each
     * scrape. A falling success rate shows here and in GET /api/health, never in readiness.
     */
    public void watchVerdict(IntSupplier severity) {
        Gauge.builder("pipeline.health.verdict", severity, IntSupplier::getAsInt)
                .strongReference(true)
                .description("The pipeline verdict: 0 healthy, 1 degraded, 2 unhealthy")
                .register(registry);
    }

    public void jobCreated() {
        created.increment();
    }

    public void jobStarted() {
        active.incrementAndGet();
    }

    public void jobEnded() {
        active.decrementAndGet();
    }

    public void jobCompleted() {
        completed.increment();
    }

    public void jobFailed(ErrorCode code) {
        Counter.builder("pipeline.jobs.failed")
                .tag("errorCode", code.name())
                .register(registry)
                .increment();
    }

    public void jobRetried(ErrorCode code) {
        Counter.builder("pipeline.jobs.retried")
                .tag("errorCode", code.name())
                .register(registry)
                .increment();
    }

    public void jobCancelled() {
        cancelled.increment();
    }

    /**
     * A write stage put {@code bytes} onto the stick in {@code slot} in {@code nanos} (copy and
     * fsync).
     */
    public void bytesWritten(String slot, long bytes, long nanos) {
        bytesWritten.increment(bytes);
        Counter.builder("pipeline.slot.bytes.written")
                .tag("slot", slot)
                .description("Bytes written onto the stick in a slot")
                .register(registry)
                .increment(bytes);
        AtomicLong speed =
                writeSpeeds.computeIfAbsent(
                        slot,
                        name -> {
                            AtomicLong value = new AtomicLong();
                            Gauge.builder("pipeline.slot.write.speed", value, AtomicLong::get)
                                    .tag("slot", name)
                                    .baseUnit("bytes")
                                    .strongReference(true)
                                    .description(
                                            "Bytes per second of the last write onto a slot's stick")
                                    .register(registry);
                            return value;
                        });
        speed.set(nanos <= 0 ? 0 : bytes * 1_000_000_000L / nanos);
    }

    /** Waiting jobs per size class ("16 GB"), as the waiting-metrics route counts them. */
    public void waitingJobs(Map<Long, Long> bySizeClass) {
        waiting.register(
                bySizeClass.entrySet().stream()
                        .map(
                                entry ->
                                        MultiGauge.Row.of(
                                                Tags.of(
                                                        "sizeClass",
                                                        NoStickReadyException.sizeClass(
                                                                entry.getKey())),
                                                entry.getValue()))
                        .toList(),
                true);
    }

    /** Called by the dead-letter route with the reason header every dead letter carries. */
    public void deadLettered(@Header(DeadLetter.ERROR_CODE) String errorCode) {
        Counter.builder("pipeline.dead.letters")
                .tag("errorCode", String.valueOf(errorCode))
                .description("Orders put on the dead-letter queue")
                .register(registry)
                .increment();
    }

    public void stageEnded(Stage stage, Outcome outcome, long nanos) {
        Timer.builder("pipeline.stage.duration")
                .tag("stage", stage.label())
                .tag("outcome", outcome.tag())
                .publishPercentileHistogram()
                .description("Time a job spent in a stage")
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** How many times a stage ended (any outcome) and its 50th and 95th percentile duration. */
    public record StageTimes(String stage, long count, Double p50Ms, Double p95Ms) {}

    /**
     * Per stage, from the same histogram /observe/metrics exposes (pipeline_stage_duration_seconds,
     * every outcome together), the percentiles estimated as Prometheus' histogram_quantile does:
     * linearly within the bucket the rank falls in. Null while a stage has not ended yet.
     */
    public List<StageTimes> stageTimes() {
        Map<String, TreeMap<Double, Double>> cumulative = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        for (Timer timer : registry.find("pipeline.stage.duration").timers()) {
            String stage = timer.getId().getTag("stage");
            HistogramSnapshot snapshot = timer.takeSnapshot();
            counts.merge(stage, snapshot.count(), Long::sum);
            TreeMap<Double, Double> buckets =
                    cumulative.computeIfAbsent(stage, s -> new TreeMap<>());
            for (CountAtBucket bucket : snapshot.histogramCounts()) {
                buckets.merge(bucket.bucket(TimeUnit.MILLISECONDS), bucket.count(), Double::sum);
            }
        }
        List<StageTimes> times = new ArrayList<>();
        for (Stage stage : Stage.values()) {
            if (stage == Stage.INTAKE || stage == Stage.DONE) {
                continue;
            }
            long count = counts.getOrDefault(stage.label(), 0L);
            TreeMap<Double, Double> buckets =
                    cumulative.getOrDefault(stage.label(), new TreeMap<>());
            times.add(
                    new StageTimes(
                            stage.label(),
                            count,
                            quantile(0.5, buckets, count),
                            quantile(0.95, buckets, count)));
        }
        return times;
    }

    private static Double quantile(double q, TreeMap<Double, Double> cumulative, long count) {
        if (count == 0 || cumulative.isEmpty()) {
            return null;
        }
        double rank = q * count;
        double lowerBound = 0;
        double countBelow = 0;
        for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
            if (bucket.getValue() >= rank) {
                double inBucket = bucket.getValue() - countBelow;
                double share = inBucket == 0 ? 1 : (rank - countBelow) / inBucket;
                return lowerBound + (bucket.getKey() - lowerBound) * share;
            }
            lowerBound = bucket.getKey();
            countBelow = bucket.getValue();
        }
        return lowerBound; // beyond the last bucket: Prometheus answers its upper bound too
    }

    private static double freeBytes(Path mount) {
        try {
            return Files.isDirectory(mount)
                    ? Files.getFileStore(mount).getUsableSpace()
                    : Double.NaN;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /**
     * Job counts per status and the oldest queued job, read at most once a second however often
     * they are scraped.
     */
    public interface StatusCounts {
        long count(JobStatus status);

        Instant oldestQueuedAt();
    }
}
