package shop.usb.pipeline.intake.manifest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.usb.pipeline.content.Utf8;

/**
 * The inbox and its own folders: done/ and error/, where manifests end beside their reports, and
 * this instance's claim folder, where a manifest is read. Every step goes through an open handle of
 * a folder, so none follows a link: a link in place of one of these folders is refused, never
 * followed. A manifest keeps its name when it moves, with -2, -3, ... before the extension when an
 * earlier manifest of that name is there: a dropped-again file never overwrites the earlier one or
 * its report.
 */
final class ManifestFolders {

    static final String DONE = "done";
    static final String ERROR = "error";

    /** A stored name's bytes at most: with the report's suffix it stays under NAME_MAX (255). */
    static final int MAX_NAME_BYTES = 200;

    private static final Logger LOG = LoggerFactory.getLogger(ManifestFolders.class);

    private static final Set<PosixFilePermission> OWNER_ONLY =
            PosixFilePermissions.fromString("rwx------");

    private final Path inbox;
    private final String claimFolder;

    /**
     * @param instanceId this instance's id: instances sharing an inbox each claim into their own
     *     folder, so a start returns only its own crashed run's manifest.
     */
    ManifestFolders(Path inbox, String instanceId) {
        this.inbox = inbox.toAbsolutePath().normalize();
        this.claimFolder = ".claimed-" + instanceId;
    }

    Path inbox() {
        return inbox;
    }

    /**
     * Claims the named manifest by renaming it into this instance's claim folder, where only this
     * service may write: what is checked there is what is read. A rename is atomic, so of two
     * instances sharing the inbox one claims a manifest. Empty when the file is gone (another
     * instance claimed it).
     *
     * @throws InboxFolderRefusedException when done/, error/ or the claim folder is not a real
     *     folder of the inbox (a link), or others may write the claim folder.
     */
    Optional<ManifestClaim> claim(String fileName) throws IOException {
        Path name = plainName(fileName);
        List<SecureDirectoryStream<Path>> opened = new ArrayList<>();
        try {
            SecureDirectoryStream<Path> inboxFolder = open(opened, inbox);
            SecureDirectoryStream<Path> done = ownFolder(opened, inboxFolder, DONE, false);
            SecureDirectoryStream<Path> error = ownFolder(opened, inboxFolder, ERROR, false);
            SecureDirectoryStream<Path> claimed = ownFolder(opened, inboxFolder, claimFolder, true);
            checkOnlyThisServiceWrites(claimed);
            // The intake reads one manifest at a time: anything claimed now was left by a stop.
            List<String> returned = returnLeftovers(claimed, inboxFolder);
            if (!returned.isEmpty()) {
                LOG.warn(
                        "Manifests a stopped run had claimed are back in the inbox, to be read"
                                + " again: {}",
                        returned);
            }
            try {
                inboxFolder.move(name, claimed, name);
            } catch (NoSuchFileException gone) {
                closeAll(opened);
                return Optional.empty();
            }
            return Optional.of(new ManifestClaim(name, inboxFolder, claimed, done, error, opened));
        } catch (IOException | RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    /**
     * A folder of the inbox, created when missing, opened as the real folder it must be: its entry
     * is read through the inbox's handle without following a link and must be a folder, then opened
     * through that handle without following a link. (Java cannot open a folder without blocking on
     * a FIFO swapped in between those two steps; the inbox's sticky bit keeps others from swapping
     * the service's folders at all, see docs/manifests.md.)
     */
    private SecureDirectoryStream<Path> ownFolder(
            List<SecureDirectoryStream<Path>> opened,
            SecureDirectoryStream<Path> inboxFolder,
            String folder,
            boolean ownerOnly)
            throws IOException {
        Path path = inbox.resolve(folder);
        try {
            if (ownerOnly) {
                Files.createDirectory(path, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } else {
                Files.createDirectory(path);
            }
        } catch (FileAlreadyExistsException exists) {
            // Checked below: it must be a real folder.
        }
        BasicFileAttributes entry =
                inboxFolder
                        .getFileAttributeView(
                                Path.of(folder),
                                BasicFileAttributeView.class,
                                LinkOption.NOFOLLOW_LINKS)
                        .readAttributes();
        if (!entry.isDirectory()) {
            throw new InboxFolderRefusedException(
                    path
                            + " is not a real folder ("
                            + (entry.isSymbolicLink() ? "a symbolic link" : "not a folder")
                            + "): nothing is moved through it; replace it with a folder");
        }
        try {
            SecureDirectoryStream<Path> stream =
                    (SecureDirectoryStream<Path>)
                            inboxFolder.newDirectoryStream(
                                    Path.of(folder), LinkOption.NOFOLLOW_LINKS);
            opened.add(stream);
            return stream;
        } catch (FileSystemException swapped) {
            throw new InboxFolderRefusedException(
                    path + " was replaced while it was opened: nothing is moved through it");
        }
    }

    private void checkOnlyThisServiceWrites(SecureDirectoryStream<Path> claimed)
            throws IOException {
        Set<PosixFilePermission> permissions =
                claimed.getFileAttributeView(PosixFileAttributeView.class)
                        .readAttributes()
                        .permissions();
        if (permissions.contains(PosixFilePermission.GROUP_WRITE)
                || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new InboxFolderRefusedException(
                    inbox.resolve(claimFolder)
                            + " may be written by others ("
                            + PosixFilePermissions.toString(permissions)
                            + "): manifests are read there; make it the service's alone (chmod 700)");
        }
    }

    /**
     * Why others could swap the inbox's own folders, or null: the inbox is writable by its group or
     * by others and lacks the sticky bit, which keeps anyone but an entry's owner from renaming it.
     */
    String swappableBecause() throws IOException {
        if (!Files.isDirectory(inbox)) {
            return null;
        }
        int mode = (Integer) Files.getAttribute(inbox, "unix:mode");
        if ((mode & 0022) == 0 || (mode & 01000) != 0) {
            return null;
        }
        return String.format(
                "%s may be written by others (mode %o) and has no sticky bit: they could swap its"
                        + " done/, error/ and claim folder; chmod +t it",
                inbox, mode & 07777);
    }

    /**
     * At start: what a crashed run of this instance left claimed goes back to the inbox, to be read
     * again. Returns their names.
     */
    List<String> returnClaimed() throws IOException {
        if (!Files.isDirectory(inbox.resolve(claimFolder), LinkOption.NOFOLLOW_LINKS)
                && !Files.isSymbolicLink(inbox.resolve(claimFolder))) {
            return List.of();
        }
        List<SecureDirectoryStream<Path>> opened = new ArrayList<>();
        try {
            SecureDirectoryStream<Path> inboxFolder = open(opened, inbox);
            SecureDirectoryStream<Path> claimed = ownFolder(opened, inboxFolder, claimFolder, true);
            checkOnlyThisServiceWrites(claimed);
            return returnLeftovers(claimed, inboxFolder);
        } finally {
            closeAll(opened);
        }
    }

    /** Moves every entry of the claim folder back to the inbox, under a free name; their names. */
    private static List<String> returnLeftovers(
            SecureDirectoryStream<Path> claimed, SecureDirectoryStream<Path> inboxFolder)
            throws IOException {
        List<String> leftovers = new ArrayList<>();
        for (Path entry : claimed) {
            leftovers.add(entry.getFileName().toString());
        }
        for (String leftover : leftovers) {
            claimed.move(Path.of(leftover), inboxFolder, freeIn(inboxFolder, leftover));
        }
        return leftovers;
    }

    /**
     * The name, or the first of name-2, name-3, ... that the inbox does not hold (not cut: the
     * inbox keeps no report beside it).
     */
    static Path freeIn(SecureDirectoryStream<Path> folder, String name) throws IOException {
        for (int n = 1; ; n++) {
            String candidate = candidate(name, n, Integer.MAX_VALUE);
            if (!holds(folder, candidate)) {
                return Path.of(candidate);
            }
        }
    }

    /**
     * The n-th name a manifest may be stored under: its own, then name-2, name-3, ... before the
     * extension; a name too long to carry the report's suffix is cut to fit.
     */
    static String candidate(String name, int n) {
        return candidate(name, n, MAX_NAME_BYTES);
    }

    private static String candidate(String name, int n, int maxBytes) {
        int dot = name.lastIndexOf('.');
        boolean extension = dot > 0 && name.length() - dot <= 8;
        String base = extension ? name.substring(0, dot) : name;
        String suffix = (n == 1 ? "" : "-" + n) + (extension ? name.substring(dot) : "");
        int room = maxBytes - suffix.getBytes(StandardCharsets.UTF_8).length;
        return Utf8.cut(base, room) + suffix;
    }

    static boolean holds(SecureDirectoryStream<Path> folder, String name) throws IOException {
        try {
            folder.getFileAttributeView(
                            Path.of(name), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
            return true;
        } catch (NoSuchFileException absent) {
            return false;
        }
    }

    private static SecureDirectoryStream<Path> open(
            List<SecureDirectoryStream<Path>> opened, Path folder) throws IOException {
        DirectoryStream<Path> stream = Files.newDirectoryStream(folder);
        if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
            stream.close();
            throw new IllegalStateException(
                    "This platform cannot work in a folder without following links");
        }
        opened.add(secure);
        return secure;
    }

    static void closeAll(List<SecureDirectoryStream<Path>> opened) {
        for (SecureDirectoryStream<Path> stream : opened) {
            try {
                stream.close();
            } catch (IOException ignored) {
                // A folder handle that cannot be closed holds nothing to lose.
            }
        }
        opened.clear();
    }

    /**
     * A file name from the inbox listing; refused, never used, if it could name anything but a file
     * in one folder.
     */
    private Path plainName(String fileName) {
        Path name = Path.of(fileName);
        if (name.getNameCount() != 1
                || name.isAbsolute()
                || fileName.equals("..")
                || fileName.equals(".")
                || fileName.startsWith(".claimed-")) {
            throw new IllegalArgumentException(
                    "The manifest name '" + fileName + "' is not a plain file name");
        }
        return name;
    }
}
