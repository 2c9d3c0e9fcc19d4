package shop.usb.pipeline.job;

/** How much a line of a job's log matters; stored by name. */
public enum JobLogLevel {
    INFO,
    WARN,
    ERROR
}
