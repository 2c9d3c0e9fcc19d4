package shop.usb.pipeline.job;

/** The job was not in a status from which the requested one may be entered. */
public class IllegalTransitionException extends RuntimeException {

    public IllegalTransitionException(String jobId, JobStatus target) {
        super("Job " + jobId + " cannot become " + target + " from its current status (allowed from "
                + target.enteredFrom() + ")");
    }
}
