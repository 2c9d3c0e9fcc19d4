package shop.usb.pipeline.transfer;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import shop.usb.pipeline.content.Sha256;

/**
 * Reads a written file back for verification. Right after a write, a plain read returns what the
 * kernel still holds in its page cache, which proves nothing about the stick; so the file is read
 * with O_DIRECT, from the device, in blocks aligned to the filesystem's block size. A filesystem
 * that refuses O_DIRECT is read through the cache, and the caller records which one it was.
 */
final class ReadBack {

    /**
     * Direct memory for the aligned reads, one per worker thread: allocating it per file costs more
     * than reading a small file. The spare 64 KiB leave room to align to any block size.
     */
    private static final ThreadLocal<ByteBuffer> READ_BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(1024 * 1024 + 64 * 1024));

    /** A file's SHA-256 and how its bytes were read. */
    record Digest(String sha256, VerifiedBy by) {}

    private ReadBack() {}

    static Digest sha256(Path file) throws IOException {
        int block;
        FileChannel channel;
        try {
            block = Math.toIntExact(Files.getFileStore(file).getBlockSize());
            channel =
                    FileChannel.open(
                            file,
                            StandardOpenOption.READ,
                            LinkOption.NOFOLLOW_LINKS,
                            ExtendedOpenOption.DIRECT);
        } catch (UnsupportedOperationException | ArithmeticException noDirectIo) {
            return new Digest(Sha256.of(file), VerifiedBy.CACHED);
        } catch (FileSystemException e) {
            // open(2) answers EINVAL where the filesystem does not do O_DIRECT.
            if (e.getReason() != null && e.getReason().contains("Invalid argument")) {
                return new Digest(Sha256.of(file), VerifiedBy.CACHED);
            }
            throw e;
        }
        try (channel) {
            return new Digest(direct(channel, block), VerifiedBy.DIRECT);
        }
    }

    /**
     * Positional reads of whole blocks into an aligned buffer; the last one may come back short.
     */
    private static String direct(FileChannel channel, int block) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        long size = channel.size();
        ByteBuffer buffer = READ_BUFFER.get().alignedSlice(block);
        long position = 0;
        while (position < size) {
            buffer.clear();
            int read = channel.read(buffer, position);
            if (read <= 0) {
                throw new IOException(
                        "Reading back ended early at byte " + position + " of " + size);
            }
            if (read % block != 0 && position + read < size) {
                throw new IOException(
                        "Short read of " + read + " bytes at byte " + position + " of " + size);
            }
            buffer.flip();
            digest.update(buffer);
            position += read;
        }
        return Sha256.hex(digest);
    }
}
