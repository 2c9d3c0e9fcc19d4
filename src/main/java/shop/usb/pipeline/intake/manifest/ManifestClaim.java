package shop.usb.pipeline.intake.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
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

    /** Writes a report's content. */
    @FunctionalInterface
    interface ReportContent {
        void writeTo(OutputStream out) throws IOException;
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

    /** A name free in both done/ and error/, so the manifest can end in either. */
    String freeName() throws IOException {
        return ManifestFolders.freeIn(List.of(done, error), name.toString()).toString();
    }

    /**
     * Writes the report into done/ or error/ under a hidden name, created new (an entry planted
     * under that name is removed, never written through), renames it to the manifest's stored name
     * with the report suffix, then moves the manifest beside it.
     */
    void store(String folder, String storedName, ReportContent report) throws IOException {
        SecureDirectoryStream<Path> target = ManifestFolders.ERROR.equals(folder) ? error : done;
        Path reportName = Path.of(storedName + ManifestReport.SUFFIX);
        Path part = Path.of("." + reportName + ".part");
        try {
            target.deleteFile(part);
        } catch (NoSuchFileException absent) {
            // The usual case: nothing left from an earlier try.
        }
        try (OutputStream out =
                Channels.newOutputStream(
                        target.newByteChannel(
                                part,
                                Set.of(
                                        StandardOpenOption.WRITE,
                                        StandardOpenOption.CREATE_NEW,
                                        LinkOption.NOFOLLOW_LINKS)))) {
            report.writeTo(out);
        }
        target.move(part, target, reportName);
        claimed.move(name, target, Path.of(storedName));
        ended = true;
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
