package shop.usb.pipeline.platform;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.camel.support.service.ServiceSupport;

/**
 * A service whose slow start (journal, schema) begins on its own thread while Camel still loads
 * routes and beans; on two cores that overlap is a good part of the startup time. Camel's start of
 * the service waits for that work and fails with its error, before any route starts.
 */
abstract class EarlyStartingService extends ServiceSupport {

    private CompletableFuture<Void> starting;

    /** Runs on the service's own start thread. */
    protected abstract void startEarly() throws Exception;

    /** Begins the start now; returns this service, to be added to the context. */
    final EarlyStartingService beginStart() {
        starting =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                startEarly();
                            } catch (Exception e) {
                                throw new CompletionException(e);
                            }
                        },
                        work -> new Thread(work, getClass().getSimpleName() + "-start").start());
        return this;
    }

    @Override
    protected final void doStart() throws Exception {
        if (starting == null) {
            beginStart();
        }
        try {
            starting.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
