package shop.usb.pipeline;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.support.LoopStick;

/**
 * The files a station is set up with ({@code deploy/}, docs/station-setup.md): the systemd unit and
 * the udev rules are parsed and checked for what they must say, and the USB helper is run for real,
 * as root (as sudo runs it), against a loop device standing in for the stick in a port.
 */
class DeployFilesTest {

    static final Path DEPLOY = Path.of("deploy");
    static final Path HELPER = DEPLOY.resolve("usb-pipeline-helper");
    static final String HELPER_COMMAND =
            "/usr/local/libexec/usb-pipeline-helper /etc/usb-order-pipeline/ports.conf";
    static final long MIB = 1024 * 1024;

    /** Settings that switch NoNewPrivileges on by themselves (systemd.exec), which stops sudo. */
    static final List<String> FORCING_NO_NEW_PRIVILEGES =
            List.of(
                    "DynamicUser",
                    "LockPersonality",
                    "MemoryDenyWriteExecute",
                    "PrivateDevices",
                    "ProtectClock",
                    "ProtectHostname",
                    "ProtectKernelLogs",
                    "ProtectKernelModules",
                    "ProtectKernelTunables",
                    "RestrictAddressFamilies",
                    "RestrictNamespaces",
                    "RestrictRealtime",
                    "RestrictSUIDSGID",
                    "SystemCallArchitectures",
                    "SystemCallFilter",
                    "SystemCallLog");

    /** One udev match or assignment: KEY or KEY{name}, its operator, its quoted value, a comma. */
    static final Pattern UDEV_PAIR =
            Pattern.compile(
                    "\\s*([A-Z_]+(?:\\{[A-Za-z0-9_]+\\})?)\\s*(==|!=|\\+=|-=|:=|=)\\s*"
                            + "\"((?:[^\"\\\\]|\\\\.)*)\"\\s*(?:,|$)");

    @TempDir Path root;
    private final List<String> attached = new ArrayList<>();

    /** A port's stick as the helper sees it: its ports file, slots, disk and partition. */
    private record Port(Path config, Path slots, String disk, String partition) {
        String slot(String name) {
            return slots.resolve(name).toString();
        }
    }

    /** How the helper ended: its exit status and what it printed (standard output and error). */
    private record Result(int exit, String output) {
        /** What it printed, once it has succeeded. */
        String succeeded() {
            assertThat(exit).as(output).isZero();
            return output;
        }
    }

    @AfterEach
    void unmountAndDetach() throws IOException {
        for (String slot : List.of("slot-1", "slot-2")) {
            Path folder = root.resolve("slots").resolve(slot);
            if (Files.isDirectory(folder) && LoopStick.isMountPoint(folder)) {
                LoopStick.run("umount", "--lazy", folder.toString());
            }
        }
        for (String device : attached) {
            try {
                LoopStick.run("losetup", "--detach", device);
            } catch (IOException e) {
                System.err.println("DeployFilesTest: cannot detach " + device + ": " + e);
            }
        }
    }

    @Test
    void unitRunsTheProductAsUsbpipeWithOnlyWhatTheHelperNeedsAsRoot() throws IOException {
        Map<String, Map<String, List<String>>> unit =
                ini(DEPLOY.resolve("systemd/usb-order-pipeline.service"));
        assertThat(unit).containsKeys("Unit", "Service", "Install");
        Map<String, List<String>> service = unit.get("Service");

        assertThat(service.get("User")).containsExactly("usbpipe");
        assertThat(service.get("NoNewPrivileges"))
                .as("sudo is set-user-id root: NoNewPrivileges would stop it")
                .containsExactly("no");
        assertThat(service.keySet()).doesNotContainAnyElementsOf(FORCING_NO_NEW_PRIVILEGES);
        assertThat(words(service.get("CapabilityBoundingSet")))
                .contains("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID")
                .doesNotContain("CAP_SYS_MODULE");
        assertThat(service.get("AmbientCapabilities"))
                .as("the JVM itself holds no capability")
                .containsExactly("");
        assertThat(service.get("ExecStart")).hasSize(1);
        assertThat(service.get("ExecStart").get(0)).contains("java").contains("-jar");
        assertThat(service.get("Environment"))
                .contains("CAMEL_MAIN_PROFILE=prod")
                .anyMatch(
                        line ->
                                line.contains(
                                        "PIPELINE_USB_PRIVILEGED_HELPER=sudo -n "
                                                + HELPER_COMMAND));
    }

    @Test
    void sudoersLetsUsbpipeRunOnlyTheHelperTheUnitNames() throws IOException {
        String sudoers = Files.readString(DEPLOY.resolve("sudoers.d/usb-order-pipeline"));
        assertThat(sudoers)
                .contains("Cmnd_Alias USB_PIPELINE_HELPER = " + HELPER_COMMAND + " *\n")
                .contains("usbpipe ALL = (root) NOPASSWD: USB_PIPELINE_HELPER\n");
    }

    @Test
    void udevRulesMountEachPortsStickThroughSystemdMountWithoutBlocking() throws IOException {
        List<String> portPaths = new ArrayList<>();
        for (String line : Files.readAllLines(DEPLOY.resolve("udev/99-usb-order-pipeline.rules"))) {
            if (line.isBlank() || line.strip().startsWith("#")) {
                continue;
            }
            Map<String, String> rule = udevRule(line);
            assertThat(rule)
                    .containsEntry("ACTION==", "add")
                    .containsEntry("SUBSYSTEM==", "block")
                    .containsEntry("ENV{ID_FS_USAGE}==", "filesystem")
                    .containsKeys("ENV{ID_PATH}==", "RUN+=");
            assertThat(rule.get("RUN+="))
                    .as("udev kills what a RUN program leaves running: ask PID 1, do not wait")
                    .startsWith("/usr/bin/systemd-mount ")
                    .contains(" --no-block ")
                    .contains(" $devnode /var/lib/usb-order-pipeline/slots/slot-");
            portPaths.add(rule.get("ENV{ID_PATH}=="));
        }
        String byPath = "/dev/disk/by-path/";
        List<String> examplePorts = new ArrayList<>();
        for (String line :
                Files.readAllLines(DEPLOY.resolve("usb-order-pipeline.ports.conf.example"))) {
            if (line.startsWith("port.")) {
                examplePorts.add(line.substring(line.indexOf(byPath) + byPath.length()));
            }
        }
        assertThat(portPaths)
                .as("one line per port, the ports of the example ports file")
                .hasSize(4)
                .doesNotHaveDuplicates()
                .containsExactlyElementsOf(examplePorts);
    }

    @Test
    void helperScriptIsAnExecutableBashScriptThatParses() throws IOException {
        assertThat(Files.isExecutable(HELPER)).as("%s is executable", HELPER).isTrue();
        assertThat(Files.readAllLines(HELPER).get(0)).isEqualTo("#!/bin/bash");
        run(null, List.of("bash", "-n", HELPER.toString())).succeeded();
    }

    @Test
    void helperAnswersItsCheckAndReadsThePortsStick() throws IOException {
        Port port = port();

        assertThat(helper(port, "check").succeeded()).contains("ready");

        assertThat(helper(port, "blkid", "-p", "-o", "export", port.partition()).succeeded())
                .contains("PART_ENTRY_TYPE=0xc");
        assertThat(helper(port, "blkid", "-p", "-o", "export", port.disk()).succeeded())
                .contains("PTTYPE=dos");
    }

    @Test
    void helperRefusesADeviceThatIsNoPortsStick() throws IOException {
        Port port = port();
        String other = attach(image("other.img", false));

        assertRefused(helper(port, "blkid", "-p", "-o", "export", "/dev/null"));
        assertRefused(
                helper(port, "blkid", "-p", "-o", "export", other),
                "not the stick of a configured port");
        assertRefused(helper(port, "mkfs.vfat", "-F", "32", other));
        assertRefused(helper(port, "partx", "--update", port.partition()), "takes the whole stick");
    }

    @Test
    void helperRefusesAMountPointOutsideTheSlots() throws IOException {
        Port port = port();
        Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));

        assertRefused(
                mount(port, "ext4", "nosuid,nodev,noexec", port.partition(), elsewhere.toString()),
                "not a slot's mount point");
        assertRefused(helper(port, "umount", port.slots().toString()));
        assertRefused(helper(port, "umount", "--lazy", "/"));
        // A slot folder swapped for a link out of the mount root.
        Path slot = port.slots().resolve("slot-2");
        Files.delete(slot);
        Files.createSymbolicLink(slot, elsewhere);
        assertRefused(helper(port, "umount", slot.toString()), "not a slot's mount point");
    }

    @Test
    void helperRefusesWhatIsNotOneOfItsCommands() throws IOException {
        Port port = port();
        Path victim = Files.writeString(root.resolve("x"), "still here");

        assertRefused(helper(port, "rm", "-rf", victim.toString()), "not a command");
        assertThat(victim).exists();
        assertRefused(helper(port, "blkid", port.partition()), "not a command");
        assertRefused(helper(port, "mkfs.ext4", "-q", "-F", port.partition()), "not a command");
        assertRefused(helper(port, "umount", "--force", port.slot("slot-1")));
        assertRefused(
                mount(port, "vfat", "nosuid,exec", port.partition(), port.slot("slot-1")),
                "mount option 'exec' is not allowed");
    }

    @Test
    void helperMountsAndLabelsAStickOnlyOnItsOwnPortsSlot() throws IOException {
        LoopStick.requireTools("e2fsprogs", "mkfs.ext4");
        Port port = port();
        String slot2 = port.slot("slot-2");
        // A stick in the second port too: each stick goes only on its own port's slot.
        String other = attach(image("other.img", false));
        Files.createSymbolicLink(root.resolve("by-path").resolve("port-2"), Path.of(other));
        LoopStick.run("mkfs.ext4", "-q", "-F", port.partition());

        assertRefused(mount(port, "ext4", "nosuid,nodev", port.partition(), slot2), "own slot");
        assertRefused(helper(port, "fusefat", "-o", "ro", port.partition(), slot2), "own slot");
        assertRefused(helper(port, "mount.exfat-fuse", other, port.slot("slot-1")), "own slot");
        // Mounted by something else on the other port's slot: never relabelled there.
        LoopStick.run("mount", "-o", "ro", port.partition(), slot2);
        assertRefused(helper(port, "e2label", port.partition(), "order"), "not its slot");
    }

    @Test
    void helperRefusesALabelThatAToolCouldTakeForAnOption() throws IOException {
        Port port = port();

        assertRefused(
                helper(port, "mkfs.vfat", "-F", "32", "-n", "-V", port.partition()),
                "may not start with '-'");
        assertRefused(helper(port, "fatlabel", port.partition(), "-r"), "may not start with '-'");
        assertRefused(helper(port, "e2label", port.partition(), "-x"), "may not start with '-'");
        assertThat(helper(port, "blkid", "-p", "-o", "export", port.partition()).output())
                .doesNotContain("TYPE=vfat");
    }

    @Test
    void helperRefusesAPortsFileOthersCanChange() throws IOException {
        Port port = port();
        Files.setPosixFilePermissions(port.config(), PosixFilePermissions.fromString("rw-rw-rw-"));

        assertRefused(helper(port, "check"), "writable by others than root");
    }

    @Test
    void helperFormatsThePortsPartition() throws IOException {
        LoopStick.requireTools("dosfstools", "mkfs.vfat");
        Port port = port();

        helper(port, "mkfs.vfat", "-F", "32", "-n", "TEST", port.partition()).succeeded();
        Result probed = helper(port, "blkid", "-p", "-o", "export", port.partition());
        assertThat(probed.output()).contains("TYPE=vfat").contains("LABEL=TEST");
    }

    @Test
    void helperPartitionsOnlyWithTheOneScriptAndNeverAMountedStick() throws IOException {
        LoopStick.requireTools("e2fsprogs", "mkfs.ext4", "e2label");
        Port port = port();
        String slot = port.slot("slot-1");
        String options = "errors=remount-ro,nosuid,nodev,noexec";
        String[] sfdisk = {
            "sfdisk", "--quiet", "--wipe", "always", "--wipe-partitions", "always", port.disk()
        };

        assertRefused(helper(port.config(), "label: gpt\n,,c\n", sfdisk), "sfdisk's script");
        assertRefused(helper(port.config(), "label: dos\n,,83\n", sfdisk), "sfdisk's script");
        // The product never formats a stick as ext4, but mounts and labels one that comes so.
        LoopStick.run("mkfs.ext4", "-q", "-F", "-L", "stick", port.partition());
        assertRefused(mount(port, "ext4", "noexec", port.partition(), slot), "nosuid and nodev");
        mount(port, "ext4", options, port.partition(), slot).succeeded();
        assertRefused(mount(port, "ext4", options, port.partition(), slot), "mounted already");
        helper(port, "e2label", port.partition(), "order").succeeded();
        assertRefused(helper(port.config(), "label: dos\n,,7\n", sfdisk), "is mounted on");
        assertRefused(helper(port, "mkfs.vfat", "-F", "32", port.partition()), "is mounted on");
        helper(port, "umount", slot).succeeded();

        helper(port.config(), "label: dos\n,,7\n", sfdisk).succeeded();
        helper(port, "partx", "--update", port.disk()).succeeded();
        assertThat(helper(port, "blkid", "-p", "-o", "export", port.partition()).output())
                .contains("PART_ENTRY_TYPE=0x7");
    }

    /**
     * A stick in a port: a 16 MiB image with an MBR and one FAT32-typed partition on a loop device,
     * the port a link to it, two slots under a mount root, and a ports file only root can change.
     * Skips loudly where that needs what this machine does not allow (LoopStick).
     */
    private Port port() throws IOException {
        LoopStick.requireMountRights();
        LoopStick.requireTools("util-linux fdisk", "sfdisk", "partx", "blkid", "blockdev");
        String disk = attach(image("stick.img", true));
        // The kernel may have read the partition table already; then partx has nothing to add.
        run(null, List.of("partx", "--add", disk));
        String name = Path.of(disk).getFileName().toString();
        if (!Files.exists(Path.of("/sys/class/block", name, name + "p1"))) {
            fail("the partition of " + disk + " did not appear");
        }
        String partition = disk + "p1";
        // A loop device keeps the read-only flag its last user may have set.
        LoopStick.run("blockdev", "--setrw", disk);
        LoopStick.run("blockdev", "--setrw", partition);

        Path byPath = Files.createDirectories(root.resolve("by-path"));
        Files.createSymbolicLink(byPath.resolve("port-1"), Path.of(disk));
        Path slots = root.resolve("slots");
        for (Path folder : List.of(slots, slots.resolve("slot-1"), slots.resolve("slot-2"))) {
            Files.createDirectories(folder);
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path config = root.resolve("ports.conf");
        Files.writeString(
                config,
                "# a station with one stick plugged in\n"
                        + "mount-root="
                        + slots
                        + "\nport.slot-1="
                        + byPath.resolve("port-1")
                        + "\nport.slot-2="
                        + byPath.resolve("port-2")
                        + "   # nothing plugged in\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
        return new Port(config, slots, disk, partition);
    }

    /** A sparse 16 MiB image, with an MBR and one partition of type c (FAT32) when asked. */
    private Path image(String name, boolean partitioned) throws IOException {
        Path image = root.resolve(name);
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(16 * MIB);
        }
        if (partitioned) {
            run("label: dos\n,,c\n", List.of("sfdisk", "--quiet", image.toString())).succeeded();
        }
        return image;
    }

    /** Attaches the image to a free loop device, detached after the test. */
    private String attach(Path image) throws IOException {
        String device = LoopStick.run("losetup", "--find", "--show", image.toString()).trim();
        attached.add(device);
        return device;
    }

    private static void assertRefused(Result result, String... because) {
        assertThat(result.exit()).as(result.output()).isEqualTo(2);
        assertThat(result.output()).contains("refused");
        for (String reason : because) {
            assertThat(result.output()).contains(reason);
        }
    }

    private static Result helper(Port port, String... command) throws IOException {
        return helper(port.config(), null, command);
    }

    /** The helper's {@code mount -t TYPE -o OPTIONS DEVICE MOUNTPOINT}. */
    private static Result mount(Port port, String type, String options, String device, String to)
            throws IOException {
        return helper(port, "mount", "-t", type, "-o", options, device, to);
    }

    /** The helper as sudo runs it: the ports file, then the command; {@code input} on stdin. */
    private static Result helper(Path config, String input, String... command) throws IOException {
        List<String> words = new ArrayList<>();
        words.add(HELPER.toAbsolutePath().toString());
        words.add(config.toString());
        words.addAll(List.of(command));
        return run(input, words);
    }

    private static Result run(String input, List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream stdin = process.getOutputStream()) {
            if (input != null) {
                stdin.write(input.getBytes(UTF_8));
            }
        }
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted: " + String.join(" ", command), e);
        }
        return new Result(
                process.exitValue(), new String(process.getInputStream().readAllBytes(), UTF_8));
    }

    /** A systemd unit: each section's keys, each with its values in order ("Key=" is ""). */
    private static Map<String, Map<String, List<String>>> ini(Path file) throws IOException {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> section = null;
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section =
                        sections.computeIfAbsent(
                                line.substring(1, line.length() - 1),
                                name -> new LinkedHashMap<>());
                continue;
            }
            int equals = line.indexOf('=');
            assertThat(section).as("a key before any section: %s", raw).isNotNull();
            assertThat(equals).as("not Key=Value: %s", raw).isPositive();
            assertThat(line).as("a continued line: %s", raw).doesNotEndWith("\\");
            section.computeIfAbsent(line.substring(0, equals).strip(), key -> new ArrayList<>())
                    .add(line.substring(equals + 1).strip());
        }
        return sections;
    }

    /** A udev rule's pairs by key and operator ("ENV{ID_PATH}==", "RUN+="), each to its value. */
    private static Map<String, String> udevRule(String line) {
        Map<String, String> pairs = new LinkedHashMap<>();
        Matcher pair = UDEV_PAIR.matcher(line);
        int at = 0;
        while (at < line.length()) {
            pair.region(at, line.length());
            assertThat(pair.lookingAt())
                    .as(
                            "comma-separated KEY==\"value\" / KEY+=\"value\" pairs, at %d: %s",
                            at, line)
                    .isTrue();
            pairs.put(pair.group(1) + pair.group(2), pair.group(3));
            at = pair.end();
        }
        return pairs;
    }

    private static List<String> words(List<String> values) {
        assertThat(values).isNotNull();
        return List.of(String.join(" ", values).trim().split("\\s+"));
    }
}
