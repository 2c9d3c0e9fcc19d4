package shop.usb.pipeline.intake.manifest;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.LongSupplier;

/**
 * A manifest as batches of entries, for a streaming split: each batch is checked against the job
 * table with one query and recorded as jobs in one transaction. A batch ends at so many entries or
 * once so many bytes of the file went into it, whichever comes first: the splitter holds two
 * batches, and a hostile manifest's orders may each be as large as a confirmation may be. When the
 * file stops being readable, the report records where and why, and the entries read before that
 * point still come as a batch. Nothing is thrown: the splitter looks one batch ahead, so a throw
 * would lose the batch before it.
 */
final class ManifestBatches implements Iterator<List<ManifestEntry>>, Closeable {

    private final ManifestReader reader;
    private final int size;
    private final long maxBytes;
    private final LongSupplier bytesRead;
    private final ManifestReport report;
    private List<ManifestEntry> next;
    private boolean ended;

    ManifestBatches(
            ManifestReader reader,
            int size,
            long maxBytes,
            LongSupplier bytesRead,
            ManifestReport report) {
        this.reader = reader;
        this.size = size;
        this.maxBytes = maxBytes;
        this.bytesRead = bytesRead;
        this.report = report;
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            next = fill();
        }
        return !next.isEmpty();
    }

    @Override
    public List<ManifestEntry> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        List<ManifestEntry> batch = next;
        next = null;
        return batch;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    private List<ManifestEntry> fill() {
        List<ManifestEntry> batch = new ArrayList<>();
        long start = bytesRead.getAsLong();
        try {
            while (!ended && batch.size() < size && bytesRead.getAsLong() - start < maxBytes) {
                ManifestEntry entry = reader.read();
                if (entry == null) {
                    ended = true;
                } else {
                    batch.add(entry);
                }
            }
        } catch (ManifestUnreadableException e) {
            ended = true;
            report.unreadable(e.line(), e.getMessage());
        }
        return batch;
    }
}
