package shop.usb.pipeline.device;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what identifies the stick behind a mounted slot. Where the slot's device is known, the
 * device tells it ({@link BlockDevice}: the filesystem UUID from the superblock, the USB serial,
 * the whole stick's size). Otherwise, without privileges: udev's {@code /dev/disk/by-uuid}, {@code
 * by-label} and {@code by-id} links (absent where no udev runs, as in a container: then the device
 * number names the stick) and the size in {@code /sys/dev/block}.
 */
public final class StickReader {

    private static final Path BY_UUID = Path.of("/dev/disk/by-uuid");
    private static final Path BY_LABEL = Path.of("/dev/disk/by-label");
    private static final Path BY_ID = Path.of("/dev/disk/by-id");
    private static final Path SYS_BLOCK = Path.of("/sys/dev/block");
    private static final Pattern USB_ID = Pattern.compile("usb-(.+?)(-part\\d+)?");
    private static final Pattern HEX_ESCAPE = Pattern.compile("\\\\x([0-9a-fA-F]{2})");

    private StickReader() {}

    public static Stick read(String slotName, SlotFilesystem filesystem) {
        if (!filesystem.isMount()) {
            return Stick.folder(slotName, filesystem.fsType());
        }
        BlockDevice block = filesystem.block();
        if (block != null && block.hasFilesystem()) {
            return new Stick(
                    block.identity(),
                    block.serial(),
                    block.sizeBytes(),
                    filesystem.fsType(),
                    block.label(),
                    filesystem.deviceNumber());
        }
        Path device = realDevice(filesystem.source());
        String uuid = linkName(BY_UUID, device);
        String label = linkName(BY_LABEL, device);
        String serial = serial(device);
        // Without udev there is no UUID to read unprivileged: the device and the mount name the
        // stick, so
        // another stick that comes in on the same device number between two scans is still a new
        // one.
        String id =
                uuid != null
                        ? uuid
                        : "device "
                                + filesystem.source()
                                + " ("
                                + filesystem.deviceNumber()
                                + "), mount "
                                + filesystem.mountId();
        return new Stick(
                id,
                serial,
                size(filesystem),
                filesystem.fsType(),
                label == null ? null : unescape(label),
                filesystem.deviceNumber());
    }

    /** 512-byte sectors of the device, or the filesystem's size where /sys does not tell. */
    private static long size(SlotFilesystem filesystem) {
        try {
            return Long.parseLong(
                            Files.readString(
                                            SYS_BLOCK
                                                    .resolve(filesystem.deviceNumber())
                                                    .resolve("size"))
                                    .trim())
                    * 512;
        } catch (IOException | NumberFormatException | InvalidPathException e) {
            try {
                return Files.getFileStore(filesystem.realPath()).getTotalSpace();
            } catch (IOException unknown) {
                return 0;
            }
        }
    }

    private static String serial(Path device) {
        if (device == null || !Files.isDirectory(BY_ID)) {
            return null;
        }
        try (DirectoryStream<Path> links = Files.newDirectoryStream(BY_ID, "usb-*")) {
            for (Path link : links) {
                Matcher usb = USB_ID.matcher(link.getFileName().toString());
                if (usb.matches() && device.equals(realOrNull(link))) {
                    return usb.group(1);
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static String linkName(Path folder, Path device) {
        if (device == null || !Files.isDirectory(folder)) {
            return null;
        }
        try (DirectoryStream<Path> links = Files.newDirectoryStream(folder)) {
            for (Path link : links) {
                if (device.equals(realOrNull(link))) {
                    return link.getFileName().toString();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static Path realDevice(String source) {
        return source != null && source.startsWith("/dev/") ? realOrNull(Path.of(source)) : null;
    }

    private static Path realOrNull(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return null;
        }
    }

    /** udev writes a space in a label as \x20. */
    private static String unescape(String name) {
        return HEX_ESCAPE
                .matcher(name)
                .replaceAll(match -> String.valueOf((char) Integer.parseInt(match.group(1), 16)));
    }
}
