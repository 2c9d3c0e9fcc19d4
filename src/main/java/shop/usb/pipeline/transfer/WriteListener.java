package shop.usb.pipeline.transfer;

/** Told how a write advances, so the job can show progress and keep its heartbeat. */
public interface WriteListener {

    void bytesCopied(long bytes);

    void fileWritten();
}
