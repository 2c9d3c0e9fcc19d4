package shop.usb.pipeline.job;

/** One log line of a job, as the API shows it; {@code id} grows with every line written. */
public record JobLogView(long id, String at, String level, String stage, String message, String errorCode) {
}
