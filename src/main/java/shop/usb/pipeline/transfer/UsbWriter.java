package shop.usb.pipeline.transfer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
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
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.device.UsbFaults;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;

/**
 * Copies a write plan onto a leased stick. A run writes into a staging folder of its own, {@code
 * <slot>/.<orderId>.<runToken>.part/}: each file goes to a temporary name, is fsync'd and renamed,
 * then every folder is fsync'd. Only then, and only after the run proved it still owns the job, is
 * the staging folder renamed to {@code <slot>/<orderId>/} ({@link #publish}). So a run that lost
 * its job never touches the order folder of the run that took over, a pulled stick cannot receive a
 * file on the host's disk (the staging folder is not there), and a folder with the order's name is
 * always complete. The slot folder itself is never created: a missing one is an unplugged stick.
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

    /** The folder a job's order ends up in; the orderId was validated to be a plain name. */
    public static Path orderFolder(Path mount, String orderId) {
        Path folder = mount.resolve(orderId).normalize();
        if (!folder.getParent().equals(mount.normalize())) {
            throw new JobFailure(
                    ErrorCode.INVALID_ORDER, "orderId '" + orderId + "' does not name a folder");
        }
        return folder;
    }

    /** Where one run writes the order before it is complete. */
    public static Path stagingFolder(Path mount, String orderId, String runToken) {
        return orderFolder(mount, orderId)
                .resolveSibling("." + orderId + "." + runToken + PART_SUFFIX);
    }

    /**
     * Writes the plan into the run's staging folder on the stick ({@link #stagingFolder}) and
     * returns the plan with every source's digest, as its MANIFEST.sha256 lists them.
     */
    public WritePlan write(
            WritePlan plan,
            SlotFilesystem stick,
            String orderId,
            String runToken,
            WriteListener listener) {
        Path staging = stagingFolder(stick.slot(), orderId, runToken);
        stick.requirePresent("before the write began");
        try {
            Files.createDirectory(staging);
            if (!stick.holds(staging)) {
                // The stick went between the check and the mkdir: the folder is on the host's disk.
                Files.deleteIfExists(staging);
                throw stick.removed("as the write began");
            }
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
                sha256s.add(copy(file, destination, listener));
                listener.fileWritten();
            }
            WritePlan written = plan.withDigests(sha256s);
            writeText(staging.resolve(WritePlan.MANIFEST_NAME), written.manifest());
            List<Path> deepestFirst = new ArrayList<>(folders);
            Collections.reverse(deepestFirst);
            for (Path folder : deepestFirst) {
                fsyncFolder(folder);
            }
            return written;
        } catch (IOException e) {
            throw UsbFaults.classify(stick, "Writing " + orderId, e);
        }
    }

    /**
     * Gives a complete staging folder the order's name, replacing what an earlier attempt left
     * under it. The caller has just proved that its run still owns the job.
     */
    public Path publish(Path staging, SlotFilesystem stick, String orderId) {
        Path target = orderFolder(stick.slot(), orderId);
        try {
            stick.requirePresent("before the order folder was named");
            deleteRecursively(target);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            fsyncFolder(stick.slot());
            return target;
        } catch (IOException e) {
            throw UsbFaults.classify(stick, "Naming the order folder " + orderId, e);
        }
    }

    /**
     * Removes the order folder an earlier attempt named on a mount (one that failed verification,
     * or was cut short). The staging folders of runs that died go with their leases ({@link
     * UsbMountAllocator}), so no slot is ever listed: a folder slot may hold thousands of orders.
     */
    public static void removeOrderFolder(Path mount, String orderId) throws IOException {
        if (Files.isDirectory(mount)) {
            deleteRecursively(orderFolder(mount, orderId));
        }
    }

    /**
     * Removes a folder and all it holds; nothing when it is not there. Links are removed, never
     * followed.
     */
    public static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(
                folder,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                            throws IOException {
                        Files.delete(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path dir, IOException exc)
                            throws IOException {
                        if (exc != null) {
                            throw exc;
                        }
                        Files.delete(dir);
                        return FileVisitResult.CONTINUE;
                    }
                });
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
    private String copy(PlannedFile file, Path destination, WriteListener listener)
            throws IOException {
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
            out.force(true);
        }
        Files.move(part, destination, StandardCopyOption.ATOMIC_MOVE);
        if (version == null) {
            return file.sha256();
        }
        digests.learn(version, digest);
        return digest;
    }

    private static String transfer(
            FileChannel in, FileChannel out, Path source, WriteListener listener)
            throws IOException {
        long size = in.size();
        long position = 0;
        while (position < size) {
            long copied = in.transferTo(position, Math.min(CHUNK, size - position), out);
            if (copied <= 0) {
                throw new IOException(source + " ended early at byte " + position);
            }
            position += copied;
            listener.bytesCopied(copied);
        }
        return null;
    }

    private static String hashWhileCopying(FileChannel in, FileChannel out, WriteListener listener)
            throws IOException {
        MessageDigest digest = Sha256.newDigest();
        ByteBuffer buffer = COPY_BUFFER.get().clear();
        while (in.read(buffer) != -1) {
            buffer.flip();
            digest.update(buffer.array(), 0, buffer.limit());
            int copied = buffer.limit();
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            listener.bytesCopied(copied);
            buffer.clear();
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
}
