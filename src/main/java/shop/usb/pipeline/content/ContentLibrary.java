package shop.usb.pipeline.content;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

import shop.usb.pipeline.intake.OrderConfirmation.ContentRequest;
import shop.usb.pipeline.job.ErrorCode;
import shop.usb.pipeline.job.JobFailure;

/**
 * The content library folder. Every requested path is resolved here and nowhere else: it must be
 * relative, stay inside the library after normalisation, and not leave it through a symlink.
 */
public class ContentLibrary {

    public static final String BEAN_NAME = "contentLibrary";

    private final Path root;

    public ContentLibrary(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /**
     * The files the requests name, each once, ordered by library-relative path. A collection is
     * taken recursively; symlinked folders inside it are not followed.
     */
    public List<LibraryFile> resolve(List<ContentRequest> requests) {
        Path realRoot = realRoot();
        SortedMap<String, LibraryFile> files = new TreeMap<>();
        for (ContentRequest request : requests) {
            Path path = locate(request, realRoot);
            if (request.kind() == ContentRequest.Kind.FILE) {
                if (!Files.isRegularFile(path)) {
                    throw JobFailure.ofField(ErrorCode.CONTENT_NOT_FOUND, request.field(),
                            "'" + request.path() + "' is not a file in the library");
                }
                add(files, path, realRoot, request);
            } else {
                if (!Files.isDirectory(path)) {
                    throw JobFailure.ofField(ErrorCode.CONTENT_NOT_FOUND, request.field(),
                            "'" + request.path() + "' is not a collection in the library");
                }
                List<Path> found = walk(path);
                if (found.isEmpty()) {
                    throw JobFailure.ofField(ErrorCode.CONTENT_NOT_FOUND, request.field(),
                            "collection '" + request.path() + "' holds no files");
                }
                for (Path file : found) {
                    add(files, file, realRoot, request);
                }
            }
        }
        return new ArrayList<>(files.values());
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
            throw JobFailure.ofField(ErrorCode.CONTENT_NOT_FOUND, request.field(),
                    "'" + requested + "' does not exist in the library");
        }
        requireInside(path, realRoot, request);
        return path;
    }

    private void add(SortedMap<String, LibraryFile> files, Path file, Path realRoot, ContentRequest request) {
        Path real = requireInside(file, realRoot, request);
        if (!Files.isRegularFile(real)) {
            return;
        }
        // The path as the library shows it (a link keeps its own name), always '/' separated.
        String relative = root.relativize(file).toString().replace('\\', '/');
        try {
            files.putIfAbsent(relative, new LibraryFile(relative, real, Files.size(real)));
        } catch (IOException e) {
            throw JobFailure.ofField(ErrorCode.IO_ERROR, request.field(), "cannot read '" + relative + "': " + e, e);
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
            throw JobFailure.ofField(ErrorCode.CONTENT_NOT_FOUND, request.field(),
                    "'" + request.path() + "' cannot be resolved: " + e.getMessage(), e);
        }
    }

    private static List<Path> walk(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            return paths.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        } catch (IOException e) {
            throw new JobFailure(ErrorCode.IO_ERROR, "Cannot read collection " + folder + ": " + e, e);
        } catch (UncheckedIOException e) {
            throw new JobFailure(ErrorCode.IO_ERROR, "Cannot read collection " + folder + ": " + e.getCause(), e);
        }
    }

    private Path realRoot() {
        try {
            return root.toRealPath();
        } catch (IOException e) {
            throw new JobFailure(ErrorCode.IO_ERROR, "The content library " + root + " is not readable: " + e, e);
        }
    }

    private static JobFailure outside(ContentRequest request, String why) {
        return JobFailure.ofField(ErrorCode.PATH_OUTSIDE_LIBRARY, request.field(), "'" + request.path() + "' " + why);
    }
}
