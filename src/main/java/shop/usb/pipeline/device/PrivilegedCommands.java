package shop.usb.pipeline.device;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs what needs root on a stick (reading its superblock, mounting, formatting, labelling): as is,
 * or through the words of {@code pipeline.usb.privileged-helper} (a small program with a narrow
 * interface, deploy/usb-pipeline-helper through sudo), so that the JVM needs no root.
 */
public final class PrivilegedCommands {

    private final List<String> helper;

    public PrivilegedCommands(List<String> helper) {
        this.helper = List.copyOf(helper);
    }

    /** Commands run as they are: this process has the rights, or needs none. */
    public static PrivilegedCommands direct() {
        return new PrivilegedCommands(List.of());
    }

    boolean throughHelper() {
        return !helper.isEmpty();
    }

    /** Null when the command succeeded, otherwise what went wrong. */
    String run(List<String> command, String input, long timeoutSeconds) {
        return SystemCommand.run(full(command), input, timeoutSeconds);
    }

    String run(List<String> command) {
        return SystemCommand.run(full(command));
    }

    /** The command's exit status and what it printed. */
    SystemCommand.Finished finished(List<String> command) {
        return SystemCommand.finished(full(command));
    }

    private List<String> full(List<String> command) {
        List<String> full = new ArrayList<>(helper);
        full.addAll(command);
        return full;
    }
}
