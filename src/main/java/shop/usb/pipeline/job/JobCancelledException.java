package shop.usb.pipeline.job;

/** An operator asked the running job to stop; thrown at its next checkpoint. */
public class JobCancelledException extends RuntimeException {

    public JobCancelledException(String jobId) {
        super("Job " + jobId + " was cancelled by an operator");
    }
}
