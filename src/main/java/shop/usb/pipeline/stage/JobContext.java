package shop.usb.pipeline.stage;

import java.nio.file.Path;
import java.util.List;
import shop.usb.pipeline.content.LibraryFile;
import shop.usb.pipeline.content.WritePlan;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.intake.OrderConfirmation;
import shop.usb.pipeline.job.ClaimedJob;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.job.Stage;
import shop.usb.pipeline.metrics.PipelineMetrics;
import shop.usb.pipeline.metrics.PipelineMetrics.Outcome;
import shop.usb.pipeline.station.UsbMountAllocator.TakenSlot;
import shop.usb.pipeline.transfer.VerifiedBy;

/** What the stages of one job run hand to each other; lives in the exchange property "job". */
public final class JobContext {

    public static final String PROPERTY = "job";

    private final ClaimedJob job;
    private final PipelineMetrics metrics;
    private Stage stage = Stage.INTAKE;
    private long stageStartedNanos = System.nanoTime();
    private OrderConfirmation order;
    private List<LibraryFile> files;
    private WritePlan plan;
    private TakenSlot taken;
    private Path folder;
    private VerifiedBy verifiedBy;
    private String volumeLabel;

    public JobContext(ClaimedJob job, PipelineMetrics metrics) {
        this.job = job;
        this.metrics = metrics;
    }

    public String id() {
        return job.id();
    }

    public JobRun run() {
        return job.run();
    }

    public ClaimedJob job() {
        return job;
    }

    public Stage stage() {
        return stage;
    }

    /** The stage before ends well (its time is measured), the next one begins. */
    void enter(Stage next) {
        endStage(Outcome.COMPLETED);
        this.stage = next;
    }

    /**
     * Measures the time of the current stage with how it ended; a job that has not entered one has
     * none.
     */
    void endStage(Outcome outcome) {
        long now = System.nanoTime();
        if (stage != Stage.INTAKE) {
            metrics.stageEnded(stage, outcome, now - stageStartedNanos);
        }
        stageStartedNanos = now;
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
        return taken;
    }

    /** The filesystem of the taken slot; null before the write stage took one. */
    public SlotFilesystem stick() {
        return taken == null ? null : taken.filesystem();
    }

    void took(TakenSlot taken) {
        this.taken = taken;
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
