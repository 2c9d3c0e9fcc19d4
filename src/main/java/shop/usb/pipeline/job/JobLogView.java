package shop.usb.pipeline.job;

/** One log line of a job, as the API shows it. */
public record JobLogView(String at, String level, String stage, String message, String errorCode) {
}
