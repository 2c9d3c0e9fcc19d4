package shop.usb.pipeline.platform;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import java.util.Arrays;

/**
 * A logged exception as logback writes it, each message escaped like {@link OneLineMessage}: an
 * exception's text can carry a name from outside (a path on a stick), and must not forge a line.
 */
public final class OneLineThrowable extends ThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy thrown) {
        return super.throwableProxyToString(new Escaped(thrown));
    }

    /** The same throwable, its messages (and its causes' and suppressed ones') escaped. */
    private record Escaped(IThrowableProxy thrown) implements IThrowableProxy {

        @Override
        public String getOverridingMessage() {
            return OneLineMessage.escaped(thrown.getOverridingMessage());
        }

        @Override
        public String getMessage() {
            return OneLineMessage.escaped(thrown.getMessage());
        }

        @Override
        public String getClassName() {
            return thrown.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return thrown.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return thrown.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return thrown.getCause() == null ? null : new Escaped(thrown.getCause());
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] suppressed = thrown.getSuppressed();
            return suppressed == null
                    ? null
                    : Arrays.stream(suppressed).map(Escaped::new).toArray(IThrowableProxy[]::new);
        }

        @Override
        public boolean isCyclic() {
            return thrown.isCyclic();
        }
    }
}
