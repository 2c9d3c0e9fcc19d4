package shop.usb.pipeline.content;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;

/**
 * The content library folder. Every requested path is resolved here and nowhere else: it must be
 * relative, stay inside the library after normalisation, and not leave it through a symlink. A file
 * is opened through {@link #openChecked}, which checks again that its path still leads there.
 */
public class ContentLibrary {

    public static final String BEAN_NAME = "contentLibrary";

    private final Path root;
    private final int maxFiles;
    private final long maxBytes;

    public ContentLibrary(Path root, OrderLimits limits) {
        this.root = root.toAbsolutePath().normalize();
        this.maxFiles = limits.maxFiles();
        this.maxBytes = limits.maxBytes();
    }

    /**
     * Opens a file {@link #resolve} returned (its real path) for reading, refusing it when that
     * path no longer leads to it without a link: a folder on the way swapped for a symbolic link
     * since it was checked. Checked before and after the open, and the file itself is opened
     * without following a link; Java has no openat, so a swap there and back within the open itself
     * is not seen.
     */
    public static FileChannel openChecked(Path realPath) throws IOException {
        requireUnchanged(realPath);
        FileChannel channel =
                FileChannel.open(realPath, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        try {
            requireUnchanged(realPath);
            return channel;
        } catch (RuntimeException | IOException e) {
            channel.close();
            throw e;
        }
    }

    private static void requireUnchanged(Path realPath) throws IOException {
        if (!realPath.toRealPath().equals(realPath)) {
            throw new JobFailure(
                    ErrorCode.PATH_OUTSIDE_LIBRARY,
                    "'"
                            + realPath
                            + "' now leads elsewhere through a"
                            + " symbolic link; it is not read");
        }
    }

    /**
     * The files the requests name, each once, ordered by library-relative path. A collection is
     * taken recursively; symlinked folders inside it are not followed.
     */
    public List<LibraryFile> resolve(List<ContentRequest> requests) {
        Path realRoot = realRoot();
        Selection files = new Selection();
        for (ContentRequest request : requests) {
            Path path = locate(request, realRoot);
            if (request.kind() == ContentRequest.Kind.FILE) {
                if (!Files.isRegularFile(path)) {
                    throw JobFailure.ofField(
                            ErrorCode.CONTENT_NOT_FOUND,
                            request.field(),
                            "'" + request.path() + "' is not a file in the library");
                }
                add(files, path, realRoot, request);
            } else {
                if (!Files.isDirectory(path)) {
                    throw JobFailure.ofField(
                            ErrorCode.CONTENT_NOT_FOUND,
                            request.field(),
                            "'" + request.path() + "' is not a collection in the library");
                }
                // A collection overlapping an earlier one counts its files again here: a bound, not
                // the total.
                List<Path> found = walk(path, maxFiles - files.byPath.size(), request);
                if (found.isEmpty()) {
                    throw JobFailure.ofField(
                            ErrorCode.CONTENT_NOT_FOUND,
                            request.field(),
                            "collection '" + request.path() + "' holds no files");
                }
                for (Path file : found) {
                    add(files, file, realRoot, request);
                }
            }
        }
        return new ArrayList<>(files.byPath.values());
    }

    /**
     * Checks that each request names a path that exists inside the library, without reading
     * collections: the cheap part of {@link #resolve}, for intake that sees many orders at once.
     */
    public void checkPaths(List<ContentRequest> requests) {
        Path realRoot = realRoot();
        for (ContentRequest request : requests) {
            locate(request, realRoot);
        }
    }

    private Path locate(ContentRequest request, Path realRoot) {
        String requested = request.path();
        Path relative = Path.of(requested);
        boolean climbs = Stream.of(requested.split("/")).anyMatch(".."::equals);
        if (relative.isAbsolute() || requested.startsWith("/") || climbs) {
            throw outside(request, "is not a relative path inside the library");
        }
        Path path = root.resolve(relative).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw outside(request, "is not a path inside the library");
        }
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw JobFailure.ofField(
                    ErrorCode.CONTENT_NOT_FOUND,
                    request.field(),
                    "'" + requested + "' does not exist in the library");
        }
        requireInside(path, realRoot, request);
        return path;
    }

    private void add(Selection files, Path file, Path realRoot, ContentRequest request) {
        Path real = requireInside(file, realRoot, request);
        if (!Files.isRegularFile(real)) {
            return;
        }
        // The path as the library shows it (a link keeps its own name).
        String relative = root.relativize(file).toString();
        if (files.byPath.containsKey(relative)) {
            return;
        }
        try {
            LibraryFile added = new LibraryFile(relative, real, Files.size(real));
            files.byPath.put(relative, added);
            files.bytes += added.size();
        } catch (IOException e) {
            throw JobFailure.ofField(
                    ErrorCode.IO_ERROR, request.field(), "cannot read '" + relative + "': " + e, e);
        }
        if (files.byPath.size() > maxFiles) {
            throw tooManyFiles(request);
        }
        if (files.bytes > maxBytes) {
            throw JobFailure.ofField(
                    ErrorCode.TOO_MANY_BYTES,
                    request.field(),
                    "the order comes to more than "
                            + maxBytes
                            + " bytes (pipeline.order.max-bytes)");
        }
    }

    /** The real location of a path, refused when a symlink takes it out of the library. */
    private static Path requireInside(Path path, Path realRoot, ContentRequest request) {
        try {
            Path real = path.toRealPath();
            if (!real.startsWith(realRoot)) {
                throw outside(request, "leads outside the library through a symbolic link");
            }
            return real;
        } catch (IOException e) {
            throw JobFailure.ofField(
                    ErrorCode.CONTENT_NOT_FOUND,
                    request.field(),
                    "'" + request.path() + "' cannot be resolved: " + e.getMessage(),
                    e);
        }
    }

    private JobFailure tooManyFiles(ContentRequest request) {
        return JobFailure.ofField(
                ErrorCode.TOO_MANY_FILES,
                request.field(),
                "the order comes to more than " + maxFiles + " files (pipeline.order.max-files)");
    }

    /** A collection's files, read no further than one past what the order may still take. */
    private List<Path> walk(Path folder, int room, ContentRequest request) {
        try (Stream<Path> paths = Files.walk(folder)) {
            List<Path> found =
                    paths.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                            .limit(room + 1L)
                            .toList();
            if (found.size() > room) {
                throw tooManyFiles(request);
            }
            return found.stream().sorted().toList();
        } catch (IOException e) {
            throw new JobFailure(
                    ErrorCode.IO_ERROR, "Cannot read collection " + folder + ": " + e, e);
        } catch (UncheckedIOException e) {
            throw new JobFailure(
                    ErrorCode.IO_ERROR,
                    "Cannot read collection " + folder + ": " + e.getCause(),
                    e);
        }
    }

    private Path realRoot() {
        try {
            return root.toRealPath();
        } catch (IOException e) {
            throw new JobFailure(
                    ErrorCode.IO_ERROR,
                    "The content library " + root + " is not readable: " + e,
                    e);
        }
    }

    /** The files an order comes to so far, each once, and their bytes. */
    private static final class Selection {
        private final SortedMap<String, LibraryFile> byPath = new TreeMap<>();
        private long bytes;
    }

    private static JobFailure outside(ContentRequest request, String why) {
        return JobFailure.ofField(
                ErrorCode.PATH_OUTSIDE_LIBRARY, request.field(), "'" + request.path() + "' " + why);
    }
}
