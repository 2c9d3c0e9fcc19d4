package shop.usb.pipeline.job;

/**
 * A run's guarded write found that the run no longer owns its job: the job was recovered as
 * stalled, claimed by another run, or ended elsewhere. The run must stop without touching files or
 * leases.
 */
public class RunSupersededException extends RuntimeException {

    public RunSupersededException(JobRun run, String now) {
        super("The " + run + " no longer owns it (the job is " + now + ")");
    }
}
