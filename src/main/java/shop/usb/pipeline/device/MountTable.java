package shop.usb.pipeline.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's mount table as this process sees it ({@code /proc/self/mountinfo}), read without
 * privileges: which filesystem, if any, is mounted on a folder.
 */
final class MountTable {

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    /**
     * One mount: its id (new for every mount, even of the same device), its device as
     * "major:minor", where, its type and source.
     */
    record Mount(int id, String device, Path mountPoint, String fsType, String source) {}

    private MountTable() {}

    /**
     * The mount on {@code folder} (a real path), the last one when several are stacked; empty when
     * none.
     */
    static Optional<Mount> mountedOn(Path folder) throws IOException {
        Mount found = null;
        for (Mount mount : all()) {
            if (mount.mountPoint().equals(folder)) {
                found = mount;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Every mount this process sees. */
    static List<Mount> all() throws IOException {
        if (!Files.isReadable(MOUNTINFO)) {
            return List.of();
        }
        List<Mount> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(MOUNTINFO)) {
            Mount mount = parse(line);
            if (mount != null) {
                mounts.add(mount);
            }
        }
        return mounts;
    }

    /**
     * "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw": id, parent id,
     * major:minor, root, mount point, options, optional fields up to "-", then type and source.
     */
    static Mount parse(String line) {
        List<String> fields = List.of(line.split(" "));
        int separator = fields.indexOf("-");
        if (fields.size() < 5 || separator < 0 || separator + 2 >= fields.size()) {
            return null;
        }
        try {
            return new Mount(
                    Integer.parseInt(fields.get(0)),
                    fields.get(2),
                    Path.of(unescape(fields.get(4))),
                    fields.get(separator + 1),
                    unescape(fields.get(separator + 2)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The kernel writes space, tab, newline and backslash in paths as octal escapes (\040). */
    private static String unescape(String field) {
        StringBuilder text = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\'
                    && i + 3 < field.length()
                    && field.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                text.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                text.append(c);
            }
        }
        return text.toString();
    }
}
