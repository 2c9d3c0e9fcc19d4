package shop.usb.pipeline.content;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a job writes: each file once, in library-relative path order, with its source digest. Before
 * the write a digest may be null (not known yet): the writer hashes that source while copying it
 * and hands back the plan with every digest.
 */
public record WritePlan(List<PlannedFile> files) {

    /**
     * The checksum file at the top of every order folder, in the format {@code sha256sum -c} reads.
     */
    public static final String MANIFEST_NAME = "MANIFEST.sha256";

    public record PlannedFile(String relativePath, Path source, long size, String sha256) {

        PlannedFile withSha256(String digest) {
            return new PlannedFile(relativePath, source, size, digest);
        }
    }

    /** The plan with the digests the write learnt. */
    public WritePlan withDigests(List<String> digests) {
        List<PlannedFile> complete = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            complete.add(files.get(i).withSha256(digests.get(i)));
        }
        return new WritePlan(complete);
    }

    public long totalBytes() {
        return files.stream().mapToLong(PlannedFile::size).sum();
    }

    /**
     * One "digest path" line per file: text mode, the way sha256sum writes it. A name holding a
     * backslash or a newline is written escaped, its line starting with a backslash, as sha256sum
     * does (and -c reads back).
     */
    public String manifest() {
        StringBuilder text = new StringBuilder();
        for (PlannedFile file : files) {
            String name = file.relativePath();
            if (name.indexOf('\\') >= 0 || name.indexOf('\n') >= 0) {
                name = name.replace("\\", "\\\\").replace("\n", "\\n");
                text.append('\\');
            }
            text.append(file.sha256()).append("  ").append(name).append('\n');
        }
        return text.toString();
    }
}
