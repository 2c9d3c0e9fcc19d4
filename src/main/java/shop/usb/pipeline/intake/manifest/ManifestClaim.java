package shop.usb.pipeline.intake.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Set;

/**
 * One manifest claimed from the inbox: checked and read in the claim folder, then stored in done/
 * or error/ beside its report, or given back to the inbox when its read failed. Every step goes
 * through the folders' open handles, so a link planted in the inbox is never followed.
 */
final class ManifestClaim implements AutoCloseable {

    /** Writes a report's content, for the manifest stored under {@code storedName}. */
    @FunctionalInterface
    interface ReportContent {
        void writeTo(String storedName, OutputStream out) throws IOException;
    }

    private final Path name;
    private final SecureDirectoryStream<Path> inbox;
    private final SecureDirectoryStream<Path> claimed;
    private final SecureDirectoryStream<Path> done;
    private final SecureDirectoryStream<Path> error;
    private final List<SecureDirectoryStream<Path>> opened;
    private boolean ended;

    ManifestClaim(
            Path name,
            SecureDirectoryStream<Path> inbox,
            SecureDirectoryStream<Path> claimed,
            SecureDirectoryStream<Path> done,
            SecureDirectoryStream<Path> error,
            List<SecureDirectoryStream<Path>> opened) {
        this.name = name;
        this.inbox = inbox;
        this.claimed = claimed;
        this.done = done;
        this.error = error;
        this.opened = opened;
    }

    /** The claimed entry's own attributes: a link, a FIFO or a device is seen as what it is. */
    BasicFileAttributes attributes() throws IOException {
        return claimed.getFileAttributeView(
                        name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
    }

    /** Opens the claimed file; call only once {@link #attributes()} shows a regular file. */
    InputStream open() throws IOException {
        return Channels.newInputStream(
                claimed.newByteChannel(
                        name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)));
    }

    /**
     * Stores the manifest in done/ or error/ under the first of its name, name-2, ... that neither
     * folder holds: the name is taken by creating its report new, so a name another instance took
     * meanwhile, or an entry planted under it, is passed over, never written through or replaced.
     * The report is written, then the manifest moved beside it. Returns the name it is stored
     * under.
     */
    String store(String folder, ReportContent report) throws IOException {
        boolean toError = ManifestFolders.ERROR.equals(folder);
        SecureDirectoryStream<Path> target = toError ? error : done;
        SecureDirectoryStream<Path> other = toError ? done : error;
        for (int n = 1; ; n++) {
            String candidate = ManifestFolders.candidate(name.toString(), n);
            if (ManifestFolders.holds(target, candidate)
                    || ManifestFolders.holds(other, candidate)
                    || ManifestFolders.holds(other, candidate + ManifestReport.SUFFIX)) {
                continue;
            }
            SeekableByteChannel created;
            try {
                created =
                        target.newByteChannel(
                                Path.of(candidate + ManifestReport.SUFFIX),
                                Set.of(
                                        StandardOpenOption.WRITE,
                                        StandardOpenOption.CREATE_NEW,
                                        LinkOption.NOFOLLOW_LINKS));
            } catch (FileAlreadyExistsException taken) {
                continue;
            }
            try {
                try (OutputStream out = Channels.newOutputStream(created)) {
                    report.writeTo(candidate, out);
                }
                claimed.move(name, target, Path.of(candidate));
            } catch (IOException | RuntimeException failed) {
                // The manifest goes back to the inbox; its report must not stay without it.
                try {
                    target.deleteFile(Path.of(candidate + ManifestReport.SUFFIX));
                } catch (IOException alsoFailed) {
                    failed.addSuppressed(alsoFailed);
                }
                throw failed;
            }
            ended = true;
            return candidate;
        }
    }

    /** Gives the manifest back to the inbox, to be read at a later poll; nothing once stored. */
    void release() throws IOException {
        if (!ended) {
            claimed.move(name, inbox, ManifestFolders.freeIn(inbox, name.toString()));
            ended = true;
        }
    }

    @Override
    public void close() {
        ManifestFolders.closeAll(opened);
    }
}
