package shop.usb.pipeline.job;

/**
 * One log line of a job, as the API shows it; {@code id} grows with every line written, {@code run}
 * is the short token of the run that wrote it (null for intake, operators and recovery).
 */
public record JobLogView(
        long id,
        String run,
        String at,
        JobLogLevel level,
        String stage,
        String message,
        String errorCode) {}
