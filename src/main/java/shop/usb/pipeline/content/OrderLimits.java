package shop.usb.pipeline.content;

/**
 * How much one order may ask for, checked before the work it would cause: content entries when the
 * confirmation is read, files and bytes while the library is walked (which stops at the limit).
 */
public record OrderLimits(int maxContentEntries, int maxFiles, long maxBytes) {}
