package shop.usb.pipeline.intake.manifest;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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
            SecureDirectoryStream<Path> done = ownFolder(opened, inboxFolder, DONE);
            SecureDirectoryStream<Path> error = ownFolder(opened, inboxFolder, ERROR);
            SecureDirectoryStream<Path> claimed = ownFolder(opened, inboxFolder, claimFolder);
            checkOnlyThisServiceWrites(claimed);
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
     * A folder of the inbox, created when missing (owner only), opened without following a link.
     */
    private SecureDirectoryStream<Path> ownFolder(
            List<SecureDirectoryStream<Path>> opened,
            SecureDirectoryStream<Path> inboxFolder,
            String folder)
            throws IOException {
        try {
            Files.createDirectory(
                    inbox.resolve(folder), PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException exists) {
            // Checked below: it must be a real folder.
        }
        try {
            SecureDirectoryStream<Path> stream =
                    (SecureDirectoryStream<Path>)
                            inboxFolder.newDirectoryStream(
                                    Path.of(folder), LinkOption.NOFOLLOW_LINKS);
            opened.add(stream);
            return stream;
        } catch (FileSystemException notAFolder) {
            throw new InboxFolderRefusedException(
                    inbox.resolve(folder)
                            + " is not a real folder (a symbolic link or a file): nothing is moved"
                            + " through it; replace it with a folder");
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
            SecureDirectoryStream<Path> claimed = ownFolder(opened, inboxFolder, claimFolder);
            checkOnlyThisServiceWrites(claimed);
            List<String> leftovers = new ArrayList<>();
            for (Path entry : claimed) {
                leftovers.add(entry.getFileName().toString());
            }
            for (String leftover : leftovers) {
                claimed.move(Path.of(leftover), inboxFolder, freeIn(inboxFolder, leftover));
            }
            return leftovers;
        } finally {
            closeAll(opened);
        }
    }

    /** The name, or the first of name-2, name-3, ... that the folder does not hold. */
    static Path freeIn(SecureDirectoryStream<Path> folder, String name) throws IOException {
        return freeIn(List.of(folder), name);
    }

    /** The first candidate name held by none of the folders (nor as a manifest's report). */
    static Path freeIn(List<SecureDirectoryStream<Path>> folders, String name) throws IOException {
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        String extension = dot > 0 ? name.substring(dot) : "";
        String candidate = name;
        for (int n = 2; heldByAny(folders, candidate); n++) {
            candidate = base + "-" + n + extension;
        }
        return Path.of(candidate);
    }

    private static boolean heldByAny(List<SecureDirectoryStream<Path>> folders, String name)
            throws IOException {
        for (SecureDirectoryStream<Path> folder : folders) {
            if (holds(folder, name) || holds(folder, name + ManifestReport.SUFFIX)) {
                return true;
            }
        }
        return false;
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
