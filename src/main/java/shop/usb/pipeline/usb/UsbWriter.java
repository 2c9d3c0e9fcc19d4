package shop.usb.pipeline.usb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import shop.usb.pipeline.content.WritePlan;
import shop.usb.pipeline.content.WritePlan.PlannedFile;
import shop.usb.pipeline.job.ErrorCode;
import shop.usb.pipeline.job.JobFailure;

/**
 * Copies a write plan into {@code <mount>/<orderId>/}. Each file goes to a temporary name, is
 * fsync'd and renamed, so a file with its final name is always complete. The mount folder itself
 * is never created: a missing mount is an unplugged stick, not a folder to make.
 */
public class UsbWriter {

    public static final String BEAN_NAME = "usbWriter";
    private static final long CHUNK = 8L * 1024 * 1024;
    private static final String PART_SUFFIX = ".part";

    /** The folder a job writes to; the orderId was validated to be a plain name. */
    public static Path orderFolder(Path mount, String orderId) {
        Path folder = mount.resolve(orderId).normalize();
        if (!folder.getParent().equals(mount.normalize())) {
            throw new JobFailure(ErrorCode.INVALID_ORDER, "orderId '" + orderId + "' does not name a folder");
        }
        return folder;
    }

    public Path write(WritePlan plan, Path mount, String orderId, WriteListener listener) {
        Path target = orderFolder(mount, orderId);
        if (!Files.isDirectory(mount)) {
            throw new JobFailure(ErrorCode.USB_UNAVAILABLE, mount + " is not mounted (no such folder)");
        }
        try {
            deleteRecursively(target);
            Files.createDirectory(target);
            Set<Path> folders = new LinkedHashSet<>();
            folders.add(target);
            for (PlannedFile file : plan.files()) {
                Path destination = target.resolve(file.relativePath()).normalize();
                if (!destination.startsWith(target)) {
                    throw new JobFailure(ErrorCode.PATH_OUTSIDE_LIBRARY,
                            "'" + file.relativePath() + "' would be written outside " + target);
                }
                createFolders(target, destination.getParent(), folders);
                copy(file.source(), destination, listener);
                listener.fileWritten();
            }
            writeText(target.resolve(WritePlan.MANIFEST_NAME), plan.manifest());
            List<Path> deepestFirst = new ArrayList<>(folders);
            java.util.Collections.reverse(deepestFirst);
            for (Path folder : deepestFirst) {
                fsyncFolder(folder);
            }
            fsyncFolder(mount);
            return target;
        } catch (IOException e) {
            throw UsbFaults.classify(mount, "Writing " + orderId, e);
        }
    }

    /** Removes what an earlier, interrupted attempt left of the order folder. */
    public static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void createFolders(Path target, Path folder, Set<Path> created) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = folder; !p.equals(target) && !created.contains(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            Files.createDirectory(p);
            created.add(p);
        }
    }

    private static void copy(Path source, Path destination, WriteListener listener) throws IOException {
        Path part = destination.resolveSibling(destination.getFileName() + PART_SUFFIX);
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
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
            out.force(true);
        }
        Files.move(part, destination, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeText(Path destination, String text) throws IOException {
        Path part = destination.resolveSibling(destination.getFileName() + PART_SUFFIX);
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        Files.move(part, destination, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Makes the renames durable: on Linux a folder's entries reach the disk only when it is fsync'd. */
    private static void fsyncFolder(Path folder) throws IOException {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
