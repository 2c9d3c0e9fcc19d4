package shop.usb.pipeline.job;

import java.util.List;

/** One page of jobs and the cursor of the next page, null when this is the last. */
public record JobPage(List<JobView> jobs, String nextCursor) {}
