package shop.usb.pipeline.content;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The SHA-256 of library files, each computed at most once per content version: a version is a
 * file's path, size and modification time. A file not hashed before is hashed while it is copied
 * onto the stick, so its bytes are read once; the digest is kept for the next order that asks for
 * it.
 */
public class ContentDigests {

    public static final String BEAN_NAME = "contentDigests";

    /** One content version of a library file. */
    public record Version(Path file, long size, FileTime modified) {}

    private final Map<Version, String> known;

    /** Keeps the digests of up to {@code capacity} versions, forgetting the least recently used. */
    public ContentDigests(int capacity) {
        this.known =
                Collections.synchronizedMap(
                        new LinkedHashMap<>(16, 0.75f, true) {
                            @Override
                            protected boolean removeEldestEntry(Map.Entry<Version, String> eldest) {
                                return size() > capacity;
                            }
                        });
    }

    public static Version version(Path file) throws IOException {
        BasicFileAttributes attributes =
                Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return new Version(file, attributes.size(), attributes.lastModifiedTime());
    }

    /** The digest of the file as it is now, when that version was hashed before; null otherwise. */
    public String known(Path file) throws IOException {
        return known.get(version(file));
    }

    /**
     * The digest of {@code version}, kept only when the file is still that version (it did not
     * change while read).
     */
    public void learn(Version version, String sha256) throws IOException {
        if (version(version.file()).equals(version)) {
            known.put(version, sha256);
        }
    }
}
