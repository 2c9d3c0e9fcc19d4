package shop.usb.pipeline.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * What the station's slots physically are ({@code pipeline.usb.slot-kind}), and every decision that
 * differs between the two: a stick takes one order and goes to the customer with it; a folder (a
 * duplicator's staging folder, a share) takes one order after the other. Nothing outside this type
 * tells the two apart.
 */
public enum SlotKind {
    STICK {
        @Override
        public Stick identify(Slot slot, SlotFilesystem filesystem) {
            return StickReader.read(slot.name(), filesystem);
        }

        @Override
        public String unwritable(SlotFilesystem filesystem) {
            try {
                return Files.getFileStore(filesystem.realPath()).isReadOnly()
                                || !Files.isWritable(filesystem.realPath())
                        ? "read-only"
                        : null;
            } catch (IOException e) {
                return "cannot be read: " + e.getMessage();
            }
        }

        /**
         * A stick takes an order only when blank: these entries would share it with the order.
         * Entries the filesystem makes for itself do not count, nor a FAT volume label that a
         * driver shows as an empty file of the label's name.
         */
        @Override
        public List<Path> leftovers(SlotFilesystem filesystem) throws IOException {
            try (Stream<Path> list = Files.list(filesystem.realPath())) {
                return list.filter(entry -> !HOUSEKEEPING.contains(entry.getFileName().toString()))
                        .filter(entry -> !isVolumeLabel(entry, filesystem))
                        .sorted()
                        .toList();
            }
        }

        @Override
        public String wrongSize(Stick stick, long capacityBytes, StickSizes sizes) {
            return sizes.fits(stick, capacityBytes)
                    ? null
                    : "holds "
                            + stick.sizeBytes()
                            + " bytes; the order was bought on a "
                            + capacityBytes
                            + "-byte stick ("
                            + sizes.describe()
                            + " of that fits)";
        }

        /** Only the stick kept for the job, and blank ones. */
        @Override
        public List<Slot> candidates(List<Slot> all, List<Slot> keptForTheJob, List<Slot> ready) {
            List<Slot> candidates = new ArrayList<>(keptForTheJob);
            candidates.addAll(ready);
            return candidates;
        }

        @Override
        public boolean take(BooleanSupplier markTaken) {
            return markTaken.getAsBoolean();
        }

        /**
         * A stick is blank and leased to the run alone: its order is written in place, and no
         * folder is ever renamed (fusefat, the FAT32 driver of the tests, loses a renamed folder's
         * contents; the kernel's vfat does not, but nothing needs it).
         */
        @Override
        public boolean stagesItsOrders() {
            return false;
        }

        /** A pulled stick takes what was written on it along. */
        @Override
        public boolean writtenFilesLeaveWithTheMedium() {
            return true;
        }

        /** A stick comes when an operator plugs one in: the job waits without holding a worker. */
        @Override
        public <T> T whenNoneFree(NoneFree<T> options) {
            return options.waitForAStick();
        }
    },

    FOLDER {
        @Override
        public Stick identify(Slot slot, SlotFilesystem filesystem) {
            return Stick.folder(slot.name(), filesystem.fsType());
        }

        @Override
        public String unwritable(SlotFilesystem filesystem) {
            return null;
        }

        @Override
        public List<Path> leftovers(SlotFilesystem filesystem) {
            return List.of();
        }

        @Override
        public String wrongSize(Stick stick, long capacityBytes, StickSizes sizes) {
            return null;
        }

        /** Any of them, a busy one included: its write ends soon. */
        @Override
        public List<Slot> candidates(List<Slot> all, List<Slot> keptForTheJob, List<Slot> ready) {
            return all;
        }

        /** Nothing to mark: the folder takes the next order once this one is written. */
        @Override
        public boolean take(BooleanSupplier markTaken) {
            return true;
        }

        /**
         * Other orders sit beside it, and a duplicator may take any folder it finds: an order is
         * written in a staging folder and renamed, so a folder with the order's name is complete.
         */
        @Override
        public boolean stagesItsOrders() {
            return true;
        }

        /** A folder that is not there is out of reach for a while (a share): its files stay. */
        @Override
        public boolean writtenFilesLeaveWithTheMedium() {
            return false;
        }

        /** A busy folder is free again when its write ends: the worker waits for it. */
        @Override
        public <T> T whenNoneFree(NoneFree<T> options) {
            return options.waitForABusySlot();
        }
    };

    /** Entries filesystems make for themselves: a stick holding only these is blank. */
    public static final Set<String> HOUSEKEEPING =
            Set.of(
                    "lost+found",
                    "System Volume Information",
                    ".Trashes",
                    ".fseventsd",
                    ".Spotlight-V100");

    /** What a slot of this kind holds now, as the device tells it (its identity, size, label). */
    public abstract Stick identify(Slot slot, SlotFilesystem filesystem);

    /** Why the medium cannot be written at all (read-only, unreadable), or null. */
    public abstract String unwritable(SlotFilesystem filesystem);

    /** What the medium holds that would share it with the next order; a wipe removes these. */
    public abstract List<Path> leftovers(SlotFilesystem filesystem) throws IOException;

    /** Why the medium is not of the size class the order was bought on, or null. */
    public abstract String wrongSize(Stick stick, long capacityBytes, StickSizes sizes);

    /** The slots a job may try, in the order it tries them. */
    public abstract List<Slot> candidates(
            List<Slot> all, List<Slot> keptForTheJob, List<Slot> ready);

    /** Takes the slot for a run: marks it taken where the medium holds one order. */
    public abstract boolean take(BooleanSupplier markTaken);

    /**
     * Whether a run writes its order in a staging folder of its own and renames it once complete,
     * or in place, in the order folder.
     */
    public abstract boolean stagesItsOrders();

    /**
     * Whether what was written on a slot that holds nothing now went away with the medium, or is
     * only out of reach, so that a lease naming it must stay.
     */
    public abstract boolean writtenFilesLeaveWithTheMedium();

    /** What a run does when no slot can take its order now. */
    public abstract <T> T whenNoneFree(NoneFree<T> options);

    private static boolean isVolumeLabel(Path entry, SlotFilesystem filesystem) {
        String label = filesystem.block() == null ? null : filesystem.block().label();
        try {
            return label != null
                    && "vfat".equals(filesystem.fsType())
                    && entry.getFileName().toString().equals(label)
                    && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)
                    && Files.size(entry) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** As the API names a slot's kind. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The two ways of waiting for a slot; the kind picks one. */
    public interface NoneFree<T> {
        T waitForAStick();

        T waitForABusySlot();
    }
}
