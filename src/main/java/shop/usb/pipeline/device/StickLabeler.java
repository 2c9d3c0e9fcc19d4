package shop.usb.pipeline.device;

import java.util.List;
import java.util.Locale;
import shop.usb.pipeline.content.Utf8;

/**
 * Gives a verified stick the order's {@code usb.label} as its volume label ({@code
 * pipeline.usb.set-label}), adjusted to its filesystem's rules, where a relabel tool for that
 * filesystem is installed: {@code e2label} (ext2/3/4, 16 bytes), {@code fatlabel} (FAT, 11
 * characters, upper case), {@code exfatlabel} (exFAT, 11 characters).
 */
public class StickLabeler {

    public static final String BEAN_NAME = "stickLabeler";

    /** The label as set, or null with the reason it was not. */
    public record Labelled(String label, String notSetBecause) {}

    private final boolean enabled;
    private final PrivilegedCommands privileged;

    public StickLabeler(boolean enabled, PrivilegedCommands privileged) {
        this.enabled = enabled;
        this.privileged = privileged;
    }

    public boolean enabled() {
        return enabled;
    }

    public Labelled label(SlotFilesystem filesystem, String wanted) {
        String device = deviceOf(filesystem);
        if (device == null) {
            return new Labelled(null, "the slot is a folder, not a device");
        }
        String type = filesystem.fsType().toLowerCase(Locale.ROOT);
        String tool =
                type.startsWith("ext")
                        ? "e2label"
                        : type.equals("vfat") || type.equals("msdos")
                                ? "fatlabel"
                                : type.equals("exfat") ? "exfatlabel" : null;
        if (tool == null) {
            return new Labelled(null, "no relabel tool is known for " + filesystem.fsType());
        }
        String label = adjusted(type, wanted);
        if (label.isBlank()) {
            return new Labelled(
                    null, "the label '" + wanted + "' keeps nothing the filesystem allows");
        }
        if (filesystem.block() != null && label.equals(filesystem.block().label())) {
            return new Labelled(
                    label, null); // formatted with it (an exFAT stick is relabelled only so)
        }
        if (!SystemCommand.installed(tool)) {
            return new Labelled(null, tool + " is not installed");
        }
        String failed = privileged.run(List.of(tool, device, label));
        return failed == null ? new Labelled(label, null) : new Labelled(null, failed);
    }

    /** The label as the filesystem allows it (ext: 16 bytes, FAT: 11, exFAT: 11 characters). */
    public static String adjusted(String fsType, String wanted) {
        String type = fsType.toLowerCase(Locale.ROOT);
        // A leading '-' would read as an option to the tools (and the privileged helper refuses
        // it).
        String plain = wanted.replaceFirst("^[-\\s]+", "");
        if (type.equals("vfat") || type.equals("msdos")) {
            return fatLabel(plain);
        }
        if (type.equals("exfat")) {
            return truncateChars(clean(plain, "\"*/:<>?\\|"), 11);
        }
        return Utf8.cut(clean(plain, ""), 16);
    }

    /** The block device behind the slot: the one the device was read from, or the mount's. */
    private static String deviceOf(SlotFilesystem filesystem) {
        if (!filesystem.isMount()) {
            return null;
        }
        if (filesystem.block() != null) {
            return filesystem.block().device().toString();
        }
        return filesystem.source() != null && filesystem.source().startsWith("/dev/")
                ? filesystem.source()
                : null;
    }

    /** FAT: 11 characters, upper case, letters, digits and a few signs; others become '_'. */
    static String fatLabel(String wanted) {
        StringBuilder label = new StringBuilder();
        for (char c : wanted.toUpperCase(Locale.ROOT).toCharArray()) {
            label.append(
                    c < 128 && (Character.isLetterOrDigit(c) || " !#$%&'()-@^_`{}~".indexOf(c) >= 0)
                            ? c
                            : '_');
        }
        return truncateChars(label.toString().stripTrailing(), 11);
    }

    private static String clean(String wanted, String forbidden) {
        StringBuilder label = new StringBuilder();
        wanted.codePoints()
                .filter(c -> c >= 0x20 && !(c >= 0x7f && c <= 0x9f) && forbidden.indexOf(c) < 0)
                .forEach(label::appendCodePoint);
        return label.toString();
    }

    private static String truncateChars(String label, int max) {
        return label.length() <= max ? label : label.substring(0, max);
    }
}
