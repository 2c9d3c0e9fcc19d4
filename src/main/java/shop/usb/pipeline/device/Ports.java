package shop.usb.pipeline.device;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The station's USB ports ({@code pipeline.usb.ports}): each maps a slot to a stable device path
 * (udev's {@code /dev/disk/by-path/…}), and the product mounts what is plugged in there at the
 * slot's mount point itself. Each look ({@link #sync}) mounts a stick newly plugged in, with the
 * options that fit its filesystem as the device tells it, and lazily unmounts one that was pulled
 * (its device vanished). An ejected stick stays unmounted while it is plugged in. With {@code
 * pipeline.usb.format} other than keep, a stick is formatted before its order is written ({@link
 * #format}), and one that holds no filesystem at all is given one when it is plugged in. Without
 * ports, something else (fstab, systemd-mount, udisks) mounts the slots, and this does nothing.
 */
public class Ports {

    private static final Logger LOG = LoggerFactory.getLogger(Ports.class);

    /** A port: the slot it fills and the device path it watches. */
    public record Port(Slot slot, Path link) {}

    private final Map<Path, Port> bySlot = new HashMap<>();
    private final Map<Path, State> states = new HashMap<>();
    private final BlockDevices devices;
    private final PortMounts mounts;
    private final Mounter mounter;
    private final StickFormat format;

    /**
     * What a port held at the last look: which plugging, the stick mounted, why none is. Changed
     * under its lock (a look, an eject, a format); read without it, so that a format taking seconds
     * on one port holds up no reader, and no look at the other ports.
     */
    private static final class State {
        final ReentrantLock lock = new ReentrantLock();
        volatile BlockDevices.Attached attached;
        volatile BlockDevice described;
        volatile BlockDevice mounted;
        volatile boolean ejected;
        volatile String problem;
    }

    public Ports(List<Port> ports, BlockDevices devices, Mounter mounter, StickFormat format) {
        for (Port port : ports) {
            bySlot.put(port.slot().path(), port);
            states.put(port.slot().path(), new State());
        }
        this.devices = devices;
        this.mounts = new PortMounts(devices);
        this.mounter = mounter;
        this.format = format;
        if (!ports.isEmpty()) {
            mounter.requireCanMount();
            mounter.requireTools(format);
        }
    }

    /** No ports: something else mounts the slots. */
    public static Ports none() {
        return new Ports(
                List.of(),
                new BlockDevices(),
                new Mounter(Map.of(), PrivilegedCommands.direct()),
                StickFormat.KEEP);
    }

    public boolean isPort(Path slot) {
        return bySlot.containsKey(slot);
    }

    /** The stick the port's slot is mounted from now, as the last look found it. */
    public Optional<BlockDevice> mountedAt(Path slot) {
        State state = states.get(slot);
        if (state == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(state.mounted);
    }

    /** Why a stick plugged into the port is not mounted (none when it is, or none is plugged). */
    public Optional<String> problem(Path slot) {
        State state = states.get(slot);
        if (state == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(state.problem);
    }

    /** A stick plugged into a port that cannot be used as it is, and why. */
    public record Unusable(Stick stick, String problem) {}

    /**
     * The stick plugged into the port that could not be mounted (or formatted), if there is one.
     */
    public Optional<Unusable> unusable(Path slot) {
        Port port = bySlot.get(slot);
        if (port == null) {
            return Optional.empty();
        }
        State state = states.get(slot);
        String problem = state.problem;
        // As read when it was plugged in (or formatted): a stick left FAULTY is not read again.
        BlockDevice stick = state.described;
        if (problem == null || stick == null) {
            return Optional.empty();
        }
        return Optional.of(
                new Unusable(
                        new Stick(
                                stick.identity(),
                                stick.serial(),
                                stick.sizeBytes(),
                                stick.fsType(),
                                stick.label(),
                                null),
                        problem));
    }

    /**
     * Whether the slot's stick is formatted before its order is written: then what it holds now
     * does not matter, and the filesystem it will carry is {@link #filesystemFor}'s.
     */
    public boolean formats(Path slot) {
        return bySlot.containsKey(slot) && format != StickFormat.KEEP;
    }

    /** The filesystem the stick will carry when its order is written. */
    public String filesystemFor(Path slot, Stick stick) {
        return formats(slot)
                ? format.filesystemFor(stick.sizeBytes()).orElseThrow()
                : stick.fsType();
    }

    /**
     * Whether the stick a slot recorded is still in its slot though unmounted (ejected): on a port,
     * while the same plugging is there; elsewhere, while its block device is there.
     */
    public boolean stillInSlot(Slot slot, Stick recorded) {
        Port port = bySlot.get(slot.path());
        if (port == null) {
            return recorded.stillAttached();
        }
        State state = states.get(slot.path());
        return state.attached != null
                && devices.attachedAt(port.link()).filter(state.attached::equals).isPresent();
    }

    /** One look at every port: mounts what was plugged in, unmounts what was pulled. */
    public void sync() {
        for (Port port : bySlot.values()) {
            State state = states.get(port.slot().path());
            if (!state.lock.tryLock()) {
                continue; // being formatted or ejected: looked at next time
            }
            try {
                sync(port, state);
            } finally {
                state.lock.unlock();
            }
        }
    }

    /**
     * Unmounts the slot's stick so the operator can pull it; it stays unmounted while it is plugged
     * in. Null when ejected, else why not.
     */
    public String eject(Path slot) {
        State state = states.get(slot);
        if (state == null) {
            return slot + " is no port of this station";
        }
        state.lock.lock();
        try {
            String failed = PortMounts.anyOn(slot) ? mounter.unmount(slot, false) : null;
            if (failed == null) {
                state.mounted = null;
                state.ejected = true;
            }
            return failed;
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * Formats the slot's stick just before its order is written: a fresh MBR with one partition,
     * the filesystem with the order's label, then mounted again. Only the stick this port holds
     * now, only when it is the one the run took ({@code takenIdentity}), and never while anything
     * but this slot has it mounted. Returns the stick as it is now; throws with the reason.
     */
    public BlockDevice format(Path slot, String takenIdentity, String label) throws IOException {
        Port port = bySlot.get(slot);
        if (port == null || !formats(slot)) {
            throw new IOException(
                    slot + " is no port that formats: only a port's stick is formatted");
        }
        State state = states.get(slot);
        state.lock.lock();
        try {
            BlockDevice stick =
                    devices.atPort(port.link())
                            .orElseThrow(
                                    () ->
                                            new NoSuchFileException(
                                                    "no stick is in " + port.slot().name()));
            if (!stick.identity().equals(takenIdentity)) {
                throw new NoSuchFileException(
                        "the stick in " + port.slot().name() + " is not the one the run took");
            }
            String fsType = format.filesystemFor(stick.sizeBytes()).orElseThrow();
            BlockDevice formatted;
            try {
                formatted =
                        makeFilesystem(
                                port, state, stick, fsType, StickLabeler.adjusted(fsType, label));
            } catch (IOException failed) {
                state.problem = "cannot format the stick: " + failed.getMessage();
                throw failed;
            }
            LOG.info(
                    "Port {}: {} formatted {} '{}' ({})",
                    port.slot().name(),
                    formatted.device(),
                    formatted.fsType(),
                    label,
                    formatted.identity());
            return formatted;
        } finally {
            state.lock.unlock();
        }
    }

    /** A fresh MBR, one partition, the filesystem with the label, mounted at the slot. */
    private BlockDevice makeFilesystem(
            Port port, State state, BlockDevice stick, String fsType, String label)
            throws IOException {
        Path slot = port.slot().path();
        String elsewhere = mounts.elsewhere(stick, slot);
        if (elsewhere != null) {
            throw new IOException(
                    stick.disk() + " is mounted on " + elsewhere + ": never formatted");
        }
        BlockDevices.Attached plugging = requireSamePlugging(port, stick);
        requireDone(PortMounts.anyOn(slot) ? mounter.unmount(slot, false) : null);
        state.mounted = null;
        // The kernel reuses device names: the stick must still be this plugging before each step.
        requireSamePlugging(port, plugging);
        requireDone(mounter.partition(stick.disk(), StickFormat.partitionTypeOf(fsType)));
        BlockDevice partitioned =
                devices.atPort(port.link())
                        .filter(found -> !found.device().equals(found.disk()))
                        .orElseThrow(
                                () ->
                                        new IOException(
                                                "the new partition did not appear on "
                                                        + stick.disk()));
        requireSamePlugging(port, plugging);
        requireDone(mounter.makeFilesystem(partitioned.device(), fsType, label));
        BlockDevice formatted =
                devices.atPort(port.link())
                        .filter(BlockDevice::hasFilesystem)
                        .orElseThrow(
                                () ->
                                        new IOException(
                                                "no filesystem after formatting "
                                                        + partitioned.device()));
        requireDone(mounter.mount(formatted, slot));
        state.attached = devices.attachedAt(port.link()).orElse(null);
        state.described = formatted;
        state.mounted = formatted;
        state.ejected = false;
        state.problem = null;
        return formatted;
    }

    /** The port's plugging now, which must be the stick's; throws when it went. */
    private BlockDevices.Attached requireSamePlugging(Port port, BlockDevice stick)
            throws IOException {
        BlockDevices.Attached now =
                devices.attachedAt(port.link())
                        .orElseThrow(
                                () ->
                                        new NoSuchFileException(
                                                port.slot().name() + ": the stick went"));
        if (!now.disk().equals(stick.disk()) || now.insertion() != stick.insertion()) {
            throw new NoSuchFileException(port.slot().name() + ": another stick came in");
        }
        return now;
    }

    private void requireSamePlugging(Port port, BlockDevices.Attached plugging) throws IOException {
        if (!devices.attachedAt(port.link()).filter(plugging::equals).isPresent()) {
            throw new NoSuchFileException(
                    port.slot().name() + ": the stick went while it was formatted");
        }
    }

    private static void requireDone(String failed) throws IOException {
        if (failed != null) {
            throw new IOException(failed);
        }
    }

    private void sync(Port port, State state) {
        Path slot = port.slot().path();
        Optional<BlockDevices.Attached> plugged = devices.attachedAt(port.link());
        boolean mounted = PortMounts.anyOn(slot);
        if (plugged.isEmpty()) {
            if (mounted) {
                LOG.info("Port {}: the stick was pulled; unmounting {}", port.slot().name(), slot);
                mounter.unmount(slot, true);
            }
            state.attached = null;
            state.described = null;
            state.mounted = null;
            state.ejected = false;
            state.problem = null;
            return;
        }
        if (plugged.get().equals(state.attached)
                && (state.ejected || mounted || state.problem != null)) {
            return; // the same plugging as at the last look, as it was left
        }
        if (mounted && state.attached != null) {
            // Another stick came in on the port within one look: the one mounted was pulled.
            LOG.info("Port {}: another stick came in; unmounting {}", port.slot().name(), slot);
            mounter.unmount(slot, true);
            mounted = false;
        }
        state.attached = plugged.get();
        state.mounted = null;
        state.ejected = false;
        BlockDevice stick = devices.describe(plugged.get());
        state.described = stick;
        if (mounted && mounts.isFrom(stick, slot)) {
            state.mounted = stick; // mounted before this process started: adopted as it is
            state.problem = null;
            return;
        }
        if (mounted) {
            mounter.unmount(slot, true);
        }
        state.problem =
                stick.unreadable() != null
                        ? "cannot read the stick in "
                                + port.slot().name()
                                + ": "
                                + stick.unreadable()
                        : stick.hasFilesystem()
                                ? mount(port, stick)
                                : firstFilesystem(port, state, stick);
        if (state.problem == null && state.mounted == null) {
            state.mounted = stick;
        }
    }

    private String mount(Port port, BlockDevice stick) {
        String failed = mounter.mount(stick, port.slot().path());
        if (failed == null) {
            LOG.info(
                    "Port {}: {} ({}, {}) mounted on {}",
                    port.slot().name(),
                    stick.device(),
                    stick.fsType(),
                    stick.identity(),
                    port.slot().path());
        } else {
            LOG.warn("Port {}: cannot mount {}: {}", port.slot().name(), stick.device(), failed);
        }
        return failed;
    }

    /** A stick that holds no filesystem: given one where the station formats, refused otherwise. */
    private String firstFilesystem(Port port, State state, BlockDevice stick) {
        if (!formats(port.slot().path())) {
            return "the stick in "
                    + port.slot().name()
                    + " holds no filesystem (set pipeline.usb.format to have sticks formatted)";
        }
        try {
            BlockDevice formatted =
                    makeFilesystem(
                            port,
                            state,
                            stick,
                            format.filesystemFor(stick.sizeBytes()).orElseThrow(),
                            "");
            LOG.info(
                    "Port {}: blank stick {} given a {} filesystem",
                    port.slot().name(),
                    stick.disk(),
                    formatted.fsType());
            return null;
        } catch (IOException e) {
            LOG.warn(
                    "Port {}: cannot format {}: {}",
                    port.slot().name(),
                    stick.disk(),
                    e.getMessage());
            return "cannot format the stick in " + port.slot().name() + ": " + e.getMessage();
        }
    }
}
