package shop.usb.pipeline.station;

import java.util.Map;
import java.util.Set;
import shop.usb.pipeline.device.Slot;
import shop.usb.pipeline.device.SlotKind;
import shop.usb.pipeline.device.Stick;
import shop.usb.pipeline.device.StickSizes;
import shop.usb.pipeline.job.JobLifecycle.WaitingJob;

/**
 * Which sticks an order fits: the size class the customer bought ({@link StickSizes}), the rules of
 * the stick's filesystem ({@link StickRules}), and, where the shop says what it stocks ({@link
 * StickStock}), whether any stick could ever take it.
 */
public class StickFit {

    private final SlotKind kind;
    private final StickSizes sizes;
    private final StickStock stock;

    public StickFit(SlotKind kind, StickSizes sizes, StickStock stock) {
        this.kind = kind;
        this.sizes = sizes;
        this.stock = stock;
    }

    /** Why the stick in the slot cannot take the order, or null when it can. */
    String misfit(Slot slot, Stick stick, Demand demand) {
        String wrongSize = kind.wrongSize(stick, demand.capacityBytes(), sizes);
        if (wrongSize != null) {
            return "the stick in " + slot.name() + " " + wrongSize;
        }
        for (Map.Entry<String, String> refused : demand.refusedFilesystems().entrySet()) {
            if (StickRules.refuses(Set.of(refused.getKey()), stick.fsType())) {
                return "the stick in "
                        + slot.name()
                        + " is "
                        + stick.fsType()
                        + ": "
                        + refused.getValue();
            }
        }
        return null;
    }

    /** Why no stick the station is stocked with could ever take the order; null when one could. */
    String neverFits(Demand demand) {
        return stock.neverFits(demand.capacityBytes(), demand.refusedFilesystems(), sizes);
    }

    /** Whether a waiting job fits a stick: its size class, and not a filesystem it refuses. */
    boolean canTake(Stick stick, WaitingJob job) {
        return kind.wrongSize(stick, job.capacityBytes(), sizes) == null
                && !StickRules.refuses(StickRules.split(job.refusedFilesystems()), stick.fsType());
    }

    /** Why a stick fits none of the stocked size classes; null when one fits. */
    String noSizeClassFor(Stick stick) {
        return stock.noSizeClassFor(stick, sizes);
    }
}
