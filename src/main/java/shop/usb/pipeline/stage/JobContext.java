package shop.usb.pipeline.stage;

import java.nio.file.Path;
import java.util.List;

import shop.usb.pipeline.content.LibraryFile;
import shop.usb.pipeline.content.WritePlan;
import shop.usb.pipeline.intake.OrderConfirmation;
import shop.usb.pipeline.job.ClaimedJob;
import shop.usb.pipeline.job.Stage;

/** What the stages of one job run hand to each other; lives in the exchange property "job". */
public final class JobContext {

    public static final String PROPERTY = "job";

    private final ClaimedJob job;
    private Stage stage = Stage.INTAKE;
    private OrderConfirmation order;
    private List<LibraryFile> files;
    private WritePlan plan;
    private Path mount;
    private Path folder;

    public JobContext(ClaimedJob job) {
        this.job = job;
    }

    public String id() {
        return job.id();
    }

    public ClaimedJob job() {
        return job;
    }

    public Stage stage() {
        return stage;
    }

    void enter(Stage next) {
        this.stage = next;
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

    /** The leased mount, once the write stage has one. */
    public Path mount() {
        return mount;
    }

    void leased(Path mount) {
        this.mount = mount;
    }

    public Path folder() {
        return folder;
    }

    void written(Path folder) {
        this.folder = folder;
    }
}
