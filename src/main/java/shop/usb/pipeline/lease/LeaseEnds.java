package shop.usb.pipeline.lease;

/**
 * Where a run waiting for a busy slot learns that a lease ended: it looks again at once instead of
 * at its next recheck.
 */
public final class LeaseEnds {

    private final Object ended = new Object();

    /** A lease ended (without a delivery, or with one): wakes every waiting run. */
    public void signal() {
        synchronized (ended) {
            ended.notifyAll();
        }
    }

    /** Waits for a lease to end, at most {@code millis}. */
    public void await(long millis) throws InterruptedException {
        synchronized (ended) {
            ended.wait(millis);
        }
    }
}
