package shop.usb.pipeline.job;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cancel requests for jobs running in this process, checked between files at no database cost.
 * A request made on another instance reaches the job through its next progress write instead.
 */
public class Cancellations {

    public static final String BEAN_NAME = "cancellations";

    private final Set<String> requested = ConcurrentHashMap.newKeySet();

    public void request(String jobId) {
        requested.add(jobId);
    }

    public void checkpoint(String jobId) {
        if (requested.contains(jobId)) {
            throw new JobCancelledException(jobId);
        }
    }

    public void forget(String jobId) {
        requested.remove(jobId);
    }
}
