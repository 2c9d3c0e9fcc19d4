package shop.usb.pipeline.platform;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import shop.usb.pipeline.device.SlotKind;

/**
 * The station's slots and how a job waits for one. A slot is a folder that something else mounts a
 * stick on ({@code pipeline.usb.mounts}), a USB port whose stick the product mounts itself at
 * {@code pipeline.usb.mount-root}/name ({@code pipeline.usb.ports}), or, with neither, one of the
 * demo's folders under the data dir, which the product creates ({@code mountsConfigured} false).
 *
 * @param ports each port's slot name and the stable device path it watches, in the order given
 * @param mounting how the product mounts a port's stick, per filesystem type
 */
public record UsbSettings(
        List<Path> mounts,
        boolean mountsConfigured,
        boolean requireMount,
        SlotKind slotKind,
        Duration allocationTimeout,
        long reserveBytes,
        Map<String, Path> ports,
        Mounting mounting) {

    private static final int DEFAULT_SLOTS = 4;
    private static final String MOUNT_COMMAND = "pipeline.usb.mount.";

    /** A slot's name is a folder's name under the mount root: letters, digits, '.', '_', '-'. */
    private static final Pattern SLOT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /**
     * The mount command per filesystem type ({@code pipeline.usb.mount.<type>}), and the words
     * every privileged command is run through ({@code pipeline.usb.privileged-helper}; none: the
     * process mounts itself).
     */
    public record Mounting(Map<String, String> commands, List<String> helper) {}

    public UsbSettings {
        mounts = List.copyOf(mounts);
        ports = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(ports));
    }

    public boolean hasPorts() {
        return !ports.isEmpty();
    }

    static UsbSettings from(SettingsReader read, Path dataDir) {
        String configured = read.optional("pipeline.usb.mounts");
        Map<String, Path> ports = ports(read.optional("pipeline.usb.ports"));
        SlotKind kind = read.choice("pipeline.usb.slot-kind", SlotKind.class);
        List<Path> mounts;
        if (!ports.isEmpty()) {
            if (!configured.isEmpty()) {
                throw new IllegalStateException(
                        "pipeline.usb.mounts and pipeline.usb.ports are both set: a slot is either"
                                + " a folder something else mounts, or a port the product mounts;"
                                + " set one of them");
            }
            if (!kind.writtenFilesLeaveWithTheMedium()) { // a port's slot is a removable stick
                throw new IllegalStateException(
                        "pipeline.usb.ports holds sticks: pipeline.usb.slot-kind must be stick, not "
                                + kind.label());
            }
            Path root = read.path("pipeline.usb.mount-root");
            mounts = ports.keySet().stream().map(root::resolve).toList();
        } else if (!configured.isEmpty()) {
            mounts =
                    SettingsReader.items(configured).stream()
                            .map(mount -> Path.of(mount).toAbsolutePath().normalize())
                            .toList();
        } else {
            mounts =
                    IntStream.rangeClosed(1, DEFAULT_SLOTS)
                            .mapToObj(i -> dataDir.resolve("usb/slot-" + i))
                            .toList();
        }
        requireUniqueSlotNames(mounts);
        boolean mountsConfigured = !configured.isEmpty() || !ports.isEmpty();
        return new UsbSettings(
                mounts,
                mountsConfigured,
                // A port's slot is a mount of the product's own; the demo's slots are folders.
                !ports.isEmpty() || (mountsConfigured && read.flag("pipeline.usb.require-mount")),
                kind,
                read.duration("pipeline.usb.allocation-timeout"),
                read.number("pipeline.usb.reserve-bytes"),
                ports,
                new Mounting(
                        mountCommands(read),
                        SettingsReader.words(read.optional("pipeline.usb.privileged-helper"))));
    }

    /** "slot-1=/dev/disk/by-path/…,slot-2=…": each slot's name and the device path it watches. */
    static Map<String, Path> ports(String value) {
        Map<String, Path> ports = new LinkedHashMap<>();
        for (String item : SettingsReader.items(value)) {
            int equals = item.indexOf('=');
            String name = equals < 0 ? "" : item.substring(0, equals).trim();
            String device = equals < 0 ? "" : item.substring(equals + 1).trim();
            if (!SLOT_NAME.matcher(name).matches()) {
                throw new IllegalStateException(
                        "pipeline.usb.ports: '"
                                + item
                                + "' must be name=/dev/…, with a slot name of letters, digits, '.',"
                                + " '_' or '-' (slot-1=/dev/disk/by-path/…-usb-0:1.3:1.0-scsi-0:0:0:0)");
            }
            if (!device.startsWith("/")) {
                throw new IllegalStateException(
                        "pipeline.usb.ports: the device path of "
                                + name
                                + " must be absolute, not '"
                                + device
                                + "'");
            }
            if (ports.put(name, Path.of(device).normalize()) != null) {
                throw new IllegalStateException("pipeline.usb.ports: " + name + " is named twice");
            }
        }
        return ports;
    }

    /**
     * Every {@code pipeline.usb.mount.<type>} that is set, by its type in lower case (each read
     * through its key, so the environment can set it too).
     */
    private static Map<String, String> mountCommands(SettingsReader read) {
        Map<String, String> commands = new TreeMap<>();
        for (String key : read.keysStartingWith(MOUNT_COMMAND)) {
            String command = read.optional(key);
            String type = key.substring(MOUNT_COMMAND.length()).toLowerCase(Locale.ROOT);
            if (!command.isEmpty()) {
                if (!command.contains("{device}") || !command.contains("{mountpoint}")) {
                    throw new IllegalStateException(
                            key + " must name {device} and {mountpoint}: '" + command + "'");
                }
                commands.put(type, command);
            }
        }
        return commands;
    }

    /**
     * A slot is named by the last element of its path (slot-1): two alike could not be told apart.
     */
    private static void requireUniqueSlotNames(List<Path> mounts) {
        Set<String> names = new HashSet<>();
        for (Path mount : mounts) {
            if (mount.getFileName() == null || !names.add(mount.getFileName().toString())) {
                throw new IllegalStateException(
                        "pipeline.usb.mounts: "
                                + mount
                                + " has the same slot name as another"
                                + " mount (a slot is named by the last element of its path)");
            }
        }
    }
}
