package shop.usb.pipeline.intake.manifest;

/**
 * One of the inbox's own folders is not what it must be (a link, or a folder others may write): no
 * manifest is claimed or moved until an operator mends it.
 */
final class InboxFolderRefusedException extends RuntimeException {

    InboxFolderRefusedException(String reason) {
        super(reason);
    }
}
