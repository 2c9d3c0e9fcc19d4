package shop.usb.pipeline.benchmark;

import static shop.usb.pipeline.benchmark.Figures.format;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.job.JobQuery;
import shop.usb.pipeline.job.JobReads;
import shop.usb.pipeline.job.JobStatus;
import shop.usb.pipeline.support.TestDatabase;

/**
 * Search by business key (GET /api/jobs?q=) among 1,000,000 jobs on PostgreSQL, through the
 * product's own query (JobReads.find): the latency of each kind of search for a page of 50, after
 * warm-up. Run: {@code mvn -B test -Pbenchmark}; prints a table and writes
 * target/benchmark-search.md.
 */
@Tag("benchmark")
class SearchBenchmark {

    private static final int JOBS = Integer.getInteger("benchmark.search-jobs", 1_000_000);
    private static final int RUNS = 50;

    @Test
    void run() throws Exception {
        try (HikariDataSource dataSource = TestDatabase.postgres().openMigrated()) {
            JdbcTemplate sql = new JdbcTemplate(dataSource);
            // One job in ten FAILED with a code and a message; every one with a customer, a stick
            // and a serial.
            sql.update(
                    """
                    INSERT INTO processing_jobs (id, order_id, status, stage, progress, priority, attempts,
                        customer_key, order_json, created_at, updated_at, error_code, error_message, stick_id, stick_serial)
                    SELECT md5(i::text)::uuid::text, 'ORD-' || lpad(i::text, 7, '0'),
                           CASE WHEN i % 10 = 0 THEN 'FAILED' ELSE 'COMPLETED' END, 'verify', 100, 'normal', 1,
                           'customer ' || (i % 5000), '{}', now() - i * INTERVAL '1 second', now(),
                           CASE WHEN i % 10 = 0 THEN (ARRAY['USB_FULL', 'CONTENT_NOT_FOUND', 'VERIFY_MISMATCH'])[1 + i % 3] END,
                           CASE WHEN i % 10 = 0 THEN 'the stick in slot-' || (i % 4) || ' reported fault ' || i END,
                           'stick-' || i, 'SER' || i
                      FROM generate_series(1, ?) AS i""",
                    JOBS);
            sql.execute("ANALYZE processing_jobs");
            JobReads jobs = new JobReads(dataSource);
            Map<String, String> searches = new LinkedHashMap<>();
            searches.put("order id prefix (ORD-00123: 100 jobs)", "ORD-00123");
            searches.put("customer name prefix (Customer 42: 22,200 jobs)", "Customer 42");
            searches.put("stick serial (1 job)", "SER54321");
            searches.put("error code (33,333 jobs)", "usb_full");
            searches.put("words of the error message (2 jobs)", "fault 42420");
            searches.put("nothing matches", "zzz-nothing");
            Figures figures = new Figures();
            for (Map.Entry<String, String> search : searches.entrySet()) {
                long[] micros = time(jobs, search.getValue(), null);
                figures.add(
                        format(
                                "search among %,d jobs: %s, page of 50, p50 / p95",
                                JOBS, search.getKey()),
                        format(
                                "%.1f / %.1f ms",
                                Figures.percentile(micros, 50) / 1000.0,
                                Figures.percentile(micros, 95) / 1000.0),
                        "",
                        "",
                        "≤ 100 ms",
                        Figures.percentile(micros, 95) <= 100_000 ? "yes" : "**no**");
            }
            long[] filtered = time(jobs, "customer 4", JobStatus.FAILED);
            figures.add(
                    format(
                            "search among %,d jobs: customer name prefix with status=FAILED, p50 / p95",
                            JOBS),
                    format(
                            "%.1f / %.1f ms",
                            Figures.percentile(filtered, 50) / 1000.0,
                            Figures.percentile(filtered, 95) / 1000.0),
                    "",
                    "",
                    "≤ 100 ms",
                    Figures.percentile(filtered, 95) <= 100_000 ? "yes" : "**no**");
            String report =
                    "Search on PostgreSQL 17 (embedded binaries), "
                            + RUNS
                            + " runs each after 5 warm-ups\n\n"
                            + figures.table();
            System.out.println("\n" + report);
            Files.writeString(Path.of("target", "benchmark-search.md"), report);
        }
    }

    private static long[] time(JobReads jobs, String text, JobStatus status) {
        JobQuery query = new JobQuery(null, status, null, null, null, text, null, null, null, 50);
        for (int i = 0; i < 5; i++) {
            jobs.find(query);
        }
        long[] micros = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long start = System.nanoTime();
            jobs.find(query);
            micros[i] = (System.nanoTime() - start) / 1000;
        }
        return micros;
    }
}
