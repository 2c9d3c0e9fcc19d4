package shop.usb.pipeline.device;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A system tool run for a stick (mount, format, relabel, unmount): found on the PATH, bounded in
 * time, its output kept.
 */
final class SystemCommand {

    private static final long TIMEOUT_SECONDS = 30;

    private SystemCommand() {}

    static boolean installed(String tool) {
        for (String folder :
                System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Runs the command; null when it succeeded, otherwise what went wrong. */
    static String run(List<String> command) {
        return run(command, null, TIMEOUT_SECONDS);
    }

    /** Runs the command with {@code input} on its standard input (none when null). */
    static String run(List<String> command, String input, long timeoutSeconds) {
        Finished finished = execute(command, input, timeoutSeconds);
        if (finished.status() == 0) {
            return null;
        }
        return finished.status() < 0
                ? finished.output()
                : String.join(" ", command)
                        + " failed ("
                        + finished.status()
                        + "): "
                        + finished.output();
    }

    /**
     * What a command printed and its exit status; -1, with why, when it could not run or did not
     * finish.
     */
    record Finished(int status, String output) {}

    /** Runs the command; its exit status and output, whatever they are. */
    static Finished finished(List<String> command) {
        return execute(command, null, TIMEOUT_SECONDS);
    }

    private static Finished execute(List<String> command, String input, long timeoutSeconds) {
        String shown = String.join(" ", command);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (OutputStream stdin = process.getOutputStream()) {
                if (input != null) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Finished(-1, shown + " did not finish in " + timeoutSeconds + " s");
            }
            return new Finished(
                    process.exitValue(),
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                            .trim());
        } catch (IOException e) {
            return new Finished(-1, shown + " could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Finished(-1, shown + " was interrupted");
        }
    }
}
