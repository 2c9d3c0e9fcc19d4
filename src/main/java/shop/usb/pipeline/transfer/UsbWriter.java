package shop.usb.pipeline.transfer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import shop.usb.pipeline.content.ContentDigests;
import shop.usb.pipeline.content.ContentLibrary;
import shop.usb.pipeline.content.Sha256;
import shop.usb.pipeline.content.WritePlan;
import shop.usb.pipeline.content.WritePlan.PlannedFile;
import shop.usb.pipeline.crash.CrashPoints;
import shop.usb.pipeline.crash.CrashPoints.Context;
import shop.usb.pipeline.crash.CrashPoints.Step;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.device.UsbFaults;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.lease.Lease;

/**
 * Copies a write plan onto a leased stick. A run writes into the staging folder its lease names,
 * {@code <slot>/.<orderId>.<runToken>.part/}: each file goes to a temporary name, is fsync'd and
 * renamed, then every folder is fsync'd. Only then, once the lease says so, is the staging folder
 * renamed to {@code <slot>/<orderId>/} ({@link #publish}). So a pulled stick cannot receive a file
 * on the host's disk (the staging folder is not there), and a folder with the order's name is
 * always complete. The slot folder itself is never created: a missing one is an unplugged stick.
 * Nothing here deletes: what a run leaves goes when its lease ends ({@code Reclaimer}).
 */
public class UsbWriter {

    public static final String BEAN_NAME = "usbWriter";
    private static final long CHUNK = 8L * 1024 * 1024;

    /**
     * Read, hashed and written at a time when a source's digest is not known yet; one per worker
     * thread, so an order of many large files does not churn the heap.
     */
    private static final ThreadLocal<ByteBuffer> COPY_BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocate(1024 * 1024));

    private static final String PART_SUFFIX = ".part";

    private final ContentDigests digests;

    public UsbWriter(ContentDigests digests) {
        this.digests = digests;
    }

    /**
     * Writes the plan into the folder the run's lease names (its staging folder, or the order
     * folder itself on a stick, written in place) and returns the plan with every source's digest,
     * as its MANIFEST.sha256 lists them.
     */
    public WritePlan write(
            WritePlan plan, SlotFilesystem stick, Lease lease, WriteListener listener) {
        Path staging = lease.writeFolder();
        String orderId = lease.orderId();
        stick.requirePresent("before the write began");
        try {
            Files.createDirectory(staging);
            if (!stick.holds(staging)) {
                // The stick went between the check and the mkdir: the folder is on the host's disk,
                // where the lease's end removes it.
                throw stick.removed("as the write began");
            }
            CrashPoints.reached(Context.RUN, Step.STAGING_CREATED, orderId);
            Set<Path> folders = new LinkedHashSet<>();
            folders.add(staging);
            List<String> sha256s = new ArrayList<>(plan.files().size());
            for (PlannedFile file : plan.files()) {
                Path destination = staging.resolve(file.relativePath()).normalize();
                if (!destination.startsWith(staging)) {
                    throw new JobFailure(
                            ErrorCode.PATH_OUTSIDE_LIBRARY,
                            "'" + file.relativePath() + "' would be written outside " + staging);
                }
                if (!stick.isPresent()) {
                    throw stick.removed("before " + file.relativePath() + " was written");
                }
                createFolders(staging, destination.getParent(), folders);
                sha256s.add(copy(file, destination, new Halfway(listener, orderId)));
                listener.fileWritten();
            }
            WritePlan written = plan.withDigests(sha256s);
            writeText(staging.resolve(WritePlan.MANIFEST_NAME), written.manifest());
            List<Path> deepestFirst = new ArrayList<>(folders);
            Collections.reverse(deepestFirst);
            for (Path folder : deepestFirst) {
                fsyncFolder(folder);
            }
            CrashPoints.reached(Context.RUN, Step.WRITE_FSYNCED, orderId);
            return written;
        } catch (IOException e) {
            throw UsbFaults.classify(stick, "Writing " + orderId, e);
        }
    }

    /**
     * Refuses to publish where an order folder is already there: no lease of this station names it
     * (another instance's copy on a shared folder, or one put there by hand), so it is not this
     * station's to replace, nor, once the lease said it publishes, to remove. Called before the
     * lease records the publish.
     */
    public void requireNoOrderFolder(Lease lease, SlotFilesystem stick) {
        if (Files.exists(lease.orderFolder(), LinkOption.NOFOLLOW_LINKS)) {
            throw new JobFailure(
                    ErrorCode.IO_ERROR,
                    stick.slot()
                            + " already holds "
                            + lease.orderId()
                            + ", which no lease of this station names (another instance's copy on"
                            + " a shared folder, or one put there by hand); it stays, and the order"
                            + " is written there once it is gone");
        }
    }

    /**
     * Gives the complete staging folder the order's name. The lease already says the run publishes
     * (written before the rename), so whoever ends it without a delivery removes the folder.
     */
    public Path publish(Lease lease, SlotFilesystem stick) {
        Path target = lease.orderFolder();
        try {
            stick.requirePresent("before the order folder was named");
            Files.move(lease.stagingFolder(), target, StandardCopyOption.ATOMIC_MOVE);
            fsyncFolder(stick.slot());
            CrashPoints.reached(Context.RUN, Step.PUBLISHED, lease.orderId());
            return target;
        } catch (IOException e) {
            throw UsbFaults.classify(stick, "Naming the order folder " + lease.orderId(), e);
        }
    }

    private static void createFolders(Path target, Path folder, Set<Path> created)
            throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = folder; !p.equals(target) && !created.contains(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            Files.createDirectory(p);
            created.add(p);
        }
    }

    /**
     * Copies one file to a temporary name, fsyncs it and gives it its name; returns the source's
     * digest. A digest known before lets the kernel copy (transferTo); an unknown one is computed
     * from the bytes as they are copied, so the source is read once, and kept for the next order.
     */
    private String copy(PlannedFile file, Path destination, Halfway listener) throws IOException {
        Path part = destination.resolveSibling(destination.getFileName() + PART_SUFFIX);
        ContentDigests.Version version =
                file.sha256() == null ? ContentDigests.version(file.source()) : null;
        String digest;
        try (FileChannel in = ContentLibrary.openChecked(file.source());
                FileChannel out =
                        FileChannel.open(
                                part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            digest =
                    version == null
                            ? transfer(in, out, file.source(), listener)
                            : hashWhileCopying(in, out, listener);
            forceOnto(out, part);
        }
        Files.move(part, destination, StandardCopyOption.ATOMIC_MOVE);
        if (version == null) {
            return file.sha256();
        }
        digests.learn(version, digest);
        return digest;
    }

    /** The file's bytes onto the stick; a failure names the file, so it is the stick's. */
    private static void forceOnto(FileChannel out, Path file) throws IOException {
        try {
            out.force(true);
        } catch (FileSystemException named) {
            throw named;
        } catch (IOException e) {
            throw new FileSystemException(file.toString(), null, e.getMessage());
        }
    }

    private static String transfer(FileChannel in, FileChannel out, Path source, Halfway listener)
            throws IOException {
        long size = in.size();
        long position = 0;
        listener.begin(size);
        while (position < size) {
            long copied =
                    in.transferTo(position, listener.next(Math.min(CHUNK, size - position)), out);
            if (copied <= 0) {
                throw new IOException(source + " ended early at byte " + position);
            }
            position += copied;
            listener.copied(copied);
        }
        return null;
    }

    private static String hashWhileCopying(FileChannel in, FileChannel out, Halfway listener)
            throws IOException {
        MessageDigest digest = Sha256.newDigest();
        ByteBuffer buffer = COPY_BUFFER.get().clear();
        listener.begin(in.size());
        buffer.limit((int) listener.next(buffer.capacity()));
        while (in.read(buffer) != -1) {
            buffer.flip();
            digest.update(buffer.array(), 0, buffer.limit());
            int copied = buffer.limit();
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            listener.copied(copied);
            buffer.clear();
            buffer.limit((int) listener.next(buffer.capacity()));
        }
        return Sha256.hex(digest);
    }

    private static void writeText(Path destination, String text) throws IOException {
        Path part = destination.resolveSibling(destination.getFileName() + PART_SUFFIX);
        try (FileChannel out =
                FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        Files.move(part, destination, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Makes the renames durable: on Linux a folder's entries reach the disk only when it is
     * fsync'd.
     */
    private static void fsyncFolder(Path folder) throws IOException {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /**
     * Passes a file's copied bytes on, and stops its copy once at the middle of the file, where the
     * crash point "in the middle of a file" is.
     */
    private static final class Halfway {
        private final WriteListener listener;
        private final String orderId;
        private long half;
        private long copied;
        private boolean passed;

        Halfway(WriteListener listener, String orderId) {
            this.listener = listener;
            this.orderId = orderId;
        }

        /** A file of this size begins; one of a byte or none has no middle. */
        void begin(long size) {
            half = size / 2;
            copied = 0;
            passed = half == 0;
        }

        /** At most how much to copy next: up to the middle first, then {@code most}. */
        long next(long most) {
            return passed ? most : Math.min(most, half - copied);
        }

        void copied(long bytes) throws IOException {
            listener.bytesCopied(bytes);
            copied += bytes;
            if (!passed && copied >= half) {
                passed = true;
                CrashPoints.reached(Context.RUN, Step.FILE_HALF_WRITTEN, orderId);
            }
        }
    }
}
