package shop.usb.pipeline.intake.manifest;

/**
 * The manifest as a whole cannot be read on from this line on: the file goes to error/ with its
 * report.
 */
public class ManifestUnreadableException extends RuntimeException {

    private final int line;

    public ManifestUnreadableException(int line, String reason) {
        super(reason);
        this.line = line;
    }

    public ManifestUnreadableException(int line, String reason, Throwable cause) {
        super(reason, cause);
        this.line = line;
    }

    /** The line where reading stopped; 0 when the file could not be opened at all. */
    public int line() {
        return line;
    }
}
