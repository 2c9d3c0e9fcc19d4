package shop.usb.pipeline.crash;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Named steps at which files or rows change, and a test-only switch that stops the process at one
 * of them, as abruptly as SIGKILL ({@link Runtime#halt}), or fails it there once. The crash-point
 * matrix (CrashPointMatrixTest) turns "a kill has to land in a window of milliseconds" into a row
 * per step. The switch is read once, when this class loads: {@code
 * -Dpipeline.test.crash-point=CONTEXT:STEP[@ORDER]} halts there; {@code
 * -Dpipeline.test.fault-point=CONTEXT:STEP[@ORDER],...} throws an I/O error once at each. Unset,
 * each step costs one comparison.
 */
public final class CrashPoints {

    /** Who is at the step: a run, or whoever ends a lease that is not its own. */
    public enum Context {
        RUN,
        TAKEOVER,
        STARTUP_RECOVERY,
        ABANDONED_RECOVERY,
        RELEASE;

        String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** The steps, in the order a run meets them; the last two are every lease's end. */
    public enum Step {
        LEASE_WRITTEN,
        STAGING_CREATED,
        FILE_HALF_WRITTEN,
        WRITE_FSYNCED,
        PUBLISH_RECORDED,
        PUBLISHED,
        VERIFIED,
        COMPLETED,
        LEASE_FILES_REMOVED,
        LEASE_ENDED;

        String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** The process's exit status at a halt: the one SIGKILL leaves (128 + 9). */
    public static final int HALT_STATUS = 137;

    private static final Point HALT = Point.parse(System.getProperty("pipeline.test.crash-point"));
    private static final Set<Point> FAULTS = ConcurrentHashMap.newKeySet();

    static {
        String faults = System.getProperty("pipeline.test.fault-point", "");
        for (String spec : faults.split(",")) {
            Point fault = Point.parse(spec);
            if (fault != null) {
                FAULTS.add(fault);
            }
        }
    }

    private CrashPoints() {}

    /**
     * The step is reached for the order: halts the process, or throws the injected fault once, when
     * the switch names it.
     */
    public static void reached(Context context, Step step, String orderId) throws IOException {
        if (HALT != null && HALT.matches(context, step, orderId)) {
            System.err.println("CRASH POINT " + HALT + " reached: halting");
            System.err.flush();
            Runtime.getRuntime().halt(HALT_STATUS);
        }
        if (!FAULTS.isEmpty()) {
            for (Point fault : FAULTS) {
                if (fault.matches(context, step, orderId) && FAULTS.remove(fault)) {
                    throw new IOException("Injected fault at " + fault);
                }
            }
        }
    }

    /** As {@link #reached}, for a step where an I/O error has no meaning: only halts. */
    public static void passed(Context context, Step step, String orderId) {
        if (HALT != null && HALT.matches(context, step, orderId)) {
            try {
                reached(context, step, orderId);
            } catch (IOException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    private record Point(Context context, Step step, String orderId) {

        /** Refuses a name that is no context or step: a misspelt switch would never halt. */
        static Point parse(String spec) {
            if (spec == null || spec.isBlank()) {
                return null;
            }
            String[] atOrder = spec.trim().split("@", 2);
            String[] parts = atOrder[0].split(":", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException(
                        "A crash point is CONTEXT:STEP[@ORDER], such as run:published; not "
                                + spec);
            }
            return new Point(
                    Context.valueOf(constant(parts[0])),
                    Step.valueOf(constant(parts[1])),
                    atOrder.length == 2 ? atOrder[1] : null);
        }

        private static String constant(String key) {
            return key.toUpperCase(Locale.ROOT).replace('-', '_');
        }

        boolean matches(Context context, Step step, String orderId) {
            return this.context == context
                    && this.step == step
                    && (this.orderId == null || this.orderId.equals(orderId));
        }

        @Override
        public String toString() {
            return context.key() + ":" + step.key() + (orderId == null ? "" : "@" + orderId);
        }
    }
}
