package shop.usb.pipeline.job;

import java.util.UUID;

/**
 * One run of a job: the job and the token its claim stored on the job row. Every write of the run
 * is guarded by the token, so a run that lost its job (recovered as stalled, claimed again) can
 * change nothing.
 */
public record JobRun(String jobId, String token) {

    /** A new run of the job, not claimed yet. */
    public static JobRun of(String jobId) {
        return new JobRun(jobId, UUID.randomUUID().toString());
    }

    /** The token's first characters: enough to tell a job's runs apart in its log. */
    public String shortToken() {
        return token.substring(0, Math.min(8, token.length()));
    }

    @Override
    public String toString() {
        return "run " + shortToken() + " of job " + jobId;
    }
}
