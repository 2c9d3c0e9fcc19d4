package shop.usb.pipeline.stage;

import java.util.List;
import org.apache.camel.ExchangeProperty;
import shop.usb.pipeline.content.ContentLibrary;
import shop.usb.pipeline.content.LibraryFile;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.intake.OrderConfirmation;
import shop.usb.pipeline.intake.OrderConfirmationValidator;
import shop.usb.pipeline.job.JobLogLevel;

/**
 * stage-validate: the contract, then the business rules: content exists, stays in the library, fits
 * the drive.
 */
public class ValidateStage {

    public static final String BEAN_NAME = "validateStage";

    private final OrderConfirmationValidator validator;
    private final ContentLibrary library;

    public ValidateStage(OrderConfirmationValidator validator, ContentLibrary library) {
        this.validator = validator;
        this.library = library;
    }

    public void run(@ExchangeProperty(JobContext.PROPERTY) JobContext job) {
        // The claim entered this stage.
        job.run().log(JobLogLevel.INFO, "Validating the confirmation and its content");
        OrderConfirmation order = validator.validate(job.run().orderJson());
        List<LibraryFile> files = library.resolve(order.content());
        long bytes = files.stream().mapToLong(LibraryFile::size).sum();
        if (bytes > order.capacityBytes()) {
            throw JobFailure.ofField(
                    ErrorCode.CAPACITY_EXCEEDED,
                    "usb.capacityBytes",
                    "the content needs "
                            + bytes
                            + " bytes in "
                            + files.size()
                            + " files, the drive holds "
                            + order.capacityBytes());
        }
        job.validated(order, files);
    }
}
