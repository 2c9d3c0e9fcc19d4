package shop.usb.pipeline.stage;

import java.nio.file.Path;
import java.util.List;
import shop.usb.pipeline.content.LibraryFile;
import shop.usb.pipeline.content.WritePlan;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.intake.OrderConfirmation;
import shop.usb.pipeline.run.Run;
import shop.usb.pipeline.station.SlotAllocator.TakenSlot;
import shop.usb.pipeline.transfer.VerifiedBy;

/**
 * What the stages of one job run hand to each other, beside the {@link Run} itself; lives in the
 * exchange property "job".
 */
public final class JobContext {

    public static final String PROPERTY = "job";

    private final Run run;
    private OrderConfirmation order;
    private List<LibraryFile> files;
    private WritePlan plan;
    private Path folder;
    private VerifiedBy verifiedBy;
    private String volumeLabel;

    public JobContext(Run run) {
        this.run = run;
    }

    public Run run() {
        return run;
    }

    public String id() {
        return run.jobId();
    }

    public OrderConfirmation order() {
        return order;
    }

    void validated(OrderConfirmation order, List<LibraryFile> files) {
        this.order = order;
        this.files = files;
    }

    List<LibraryFile> files() {
        return files;
    }

    public WritePlan plan() {
        return plan;
    }

    void planned(WritePlan plan) {
        this.plan = plan;
    }

    /** The slot the write stage took, with the filesystem and stick it held then; null before. */
    public TakenSlot taken() {
        return run.taken();
    }

    /** The filesystem of the taken slot; null before the write stage took one. */
    public SlotFilesystem stick() {
        return run.taken() == null ? null : run.taken().filesystem();
    }

    /** The order folder, once the write stage has published it. */
    public Path folder() {
        return folder;
    }

    void written(Path folder) {
        this.folder = folder;
    }

    public VerifiedBy verifiedBy() {
        return verifiedBy;
    }

    void verified(VerifiedBy by) {
        this.verifiedBy = by;
    }

    /** The volume label the run gave the stick; null when it set none. */
    public String volumeLabel() {
        return volumeLabel;
    }

    void labelled(String label) {
        this.volumeLabel = label;
    }
}
