package shop.usb.pipeline.job;

/** What a run's write plan holds: its bytes and files, shown on the job. */
public record PlannedSize(long bytes, int files) {}
