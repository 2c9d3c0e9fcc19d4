package shop.usb.pipeline.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Peak memory of the product's JVM over a window: resident set from /proc (the kernel's high-water
 * mark, reset at the window's start) and heap from the GC log (the heap is fullest just before a
 * collection, which the log records as "BEFORE->AFTER(SIZE)").
 */
final class MemoryProbe {

    private static final Pattern COLLECTION =
            Pattern.compile("Pause.* (\\d+)M->(\\d+)M\\((\\d+)M\\)");

    private final long pid;
    private final Path gcLog;
    private int firstLine;

    MemoryProbe(long pid, Path gcLog) {
        this.pid = pid;
        this.gcLog = gcLog;
    }

    /**
     * Starts a window: the resident high-water mark is reset, and the GC log is read from here on.
     */
    void reset() throws IOException {
        // Writing 5 to clear_refs resets VmHWM (Linux 4.0+).
        Files.writeString(Path.of("/proc", String.valueOf(pid), "clear_refs"), "5");
        firstLine = lines().size();
    }

    Window read() throws IOException {
        long rssKib = 0;
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                rssKib = Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        long heapMib = 0;
        int collections = 0;
        List<String> lines = lines();
        for (String line : lines.subList(Math.min(firstLine, lines.size()), lines.size())) {
            Matcher m = COLLECTION.matcher(line);
            if (m.find()) {
                heapMib = Math.max(heapMib, Long.parseLong(m.group(1)));
                collections++;
            }
        }
        return new Window(rssKib / 1024, heapMib, collections);
    }

    private List<String> lines() throws IOException {
        return Files.exists(gcLog) ? Files.readAllLines(gcLog) : List.of();
    }

    /**
     * Peak resident set and peak heap in MiB, and how many collections the heap figure rests on.
     */
    record Window(long peakRssMib, long peakHeapMib, int collections) {}
}
