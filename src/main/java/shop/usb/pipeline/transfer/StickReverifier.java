package shop.usb.pipeline.transfer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.camel.Body;
import shop.usb.pipeline.content.Sha256;
import shop.usb.pipeline.content.WritePlan;
import shop.usb.pipeline.content.WritePlan.PlannedFile;
import shop.usb.pipeline.device.SlotProbe;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.job.JobLifecycle;

/**
 * Reads a returned stick back against its job: the order folder's MANIFEST.sha256 must be the one
 * written with the order (its SHA-256 is on the job), hold as many files and bytes as the job
 * planned, and every file must read back to its digest with nothing extra, through the same {@link
 * UsbVerifier} as the verify stage (from the device where the filesystem allows). The result goes
 * on the job and into its log. Everything on the stick is hostile: the manifest's size and its
 * names are checked before use, its files together may hold no more bytes than the job planned
 * before one is read, links are refused, and one stick is read back by one request at a time.
 */
public class StickReverifier {

    public static final String BEAN_NAME = "stickReverifier";

    /** 20,000 files (pipeline.order.max-files) of long names stay far below this. */
    static final long MAX_MANIFEST_BYTES = 16L * 1024 * 1024;

    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");

    /** A job whose stick is in {@code slotPath}: what its folder must hold. */
    public record Request(
            String jobId,
            String orderId,
            String slot,
            String slotPath,
            String manifestSha256,
            Integer filesPlanned,
            Long bytesPlanned) {}

    private final JobLifecycle jobs;
    private final SlotProbe probe;
    private final UsbVerifier verifier;
    private final Set<String> slotsBeingRead = ConcurrentHashMap.newKeySet();

    public StickReverifier(JobLifecycle jobs, SlotProbe probe, UsbVerifier verifier) {
        this.jobs = jobs;
        this.probe = probe;
        this.verifier = verifier;
    }

    /**
     * Takes the slot for one read-back; false when one is running there. {@link #reverify} gives it
     * back.
     */
    public boolean reserve(String slot) {
        return slotsBeingRead.add(slot);
    }

    /** Gives back a slot taken for a read-back that was not started after all. */
    public void release(String slot) {
        slotsBeingRead.remove(slot);
    }

    public void reverify(@Body Request request) {
        try {
            WritePlan plan = planOnStick(request);
            VerifiedBy by =
                    verifier.verify(
                            plan,
                            folder(request),
                            probe.probe(Path.of(request.slotPath())).require(),
                            () -> {});
            jobs.recordReverify(
                    request.jobId(),
                    true,
                    "Read back again in "
                            + request.slot()
                            + ": "
                            + plan.files().size()
                            + " files, "
                            + plan.totalBytes()
                            + " bytes as written (read "
                            + by.label()
                            + ")");
        } catch (IOException | RuntimeException failed) { // a JobFailure names what differs
            jobs.recordReverify(
                    request.jobId(),
                    false,
                    "Read back again in " + request.slot() + ": " + failed.getMessage());
        } finally {
            release(request.slot());
        }
    }

    private WritePlan planOnStick(Request request) throws IOException {
        Path folder = folder(request);
        if (request.filesPlanned() == null || request.bytesPlanned() == null) {
            throw failure("the job records no planned files and bytes to hold the stick to");
        }
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            throw failure("the stick has no folder " + request.orderId());
        }
        Path manifest = folder.resolve(WritePlan.MANIFEST_NAME);
        if (!Files.isRegularFile(manifest, LinkOption.NOFOLLOW_LINKS)) {
            throw failure("the stick has no " + request.orderId() + "/" + WritePlan.MANIFEST_NAME);
        }
        if (Files.size(manifest) > MAX_MANIFEST_BYTES) {
            throw failure(
                    WritePlan.MANIFEST_NAME
                            + " holds "
                            + Files.size(manifest)
                            + " bytes; no order writes that many");
        }
        byte[] text = Files.readAllBytes(manifest);
        if (!Sha256.of(text).equals(request.manifestSha256())) {
            throw failure(
                    WritePlan.MANIFEST_NAME
                            + " on the stick is not the one written with the order");
        }
        WritePlan plan = planOf(new String(text, StandardCharsets.UTF_8), folder);
        if (plan.files().size() != request.filesPlanned()) {
            throw failure(
                    WritePlan.MANIFEST_NAME
                            + " lists "
                            + plan.files().size()
                            + " files; the order planned "
                            + request.filesPlanned());
        }
        // Sizes come from the stick: a missing file (size -1, which the verifier names) must not
        // let a huge one through unchecked.
        long present = plan.files().stream().mapToLong(file -> Math.max(0, file.size())).sum();
        boolean allThere = plan.files().stream().allMatch(file -> file.size() >= 0);
        if (present > request.bytesPlanned() || (allThere && present != request.bytesPlanned())) {
            throw failure(
                    "the files hold "
                            + (allThere ? "" : "at least ")
                            + present
                            + " bytes; the order planned "
                            + request.bytesPlanned());
        }
        return plan;
    }

    /**
     * The plan a manifest describes, each file's size as the stick holds it (-1 when missing: the
     * verifier reports it). The inverse of {@link WritePlan#manifest()}, escapes included.
     */
    static WritePlan planOf(String manifest, Path folder) throws IOException {
        List<PlannedFile> files = new ArrayList<>();
        for (String line : manifest.split("\n")) {
            boolean escaped = line.startsWith("\\");
            String entry = escaped ? line.substring(1) : line;
            if (entry.length() < 67
                    || !DIGEST.matcher(entry.substring(0, 64)).matches()
                    || !entry.startsWith("  ", 64)) {
                throw failure(
                        WritePlan.MANIFEST_NAME + " has a line that is not \"<sha256>  <name>\"");
            }
            String name = escaped ? unescape(entry.substring(66)) : entry.substring(66);
            Path file = folder.resolve(name).normalize();
            if (!file.startsWith(folder) || file.equals(folder)) {
                throw failure(WritePlan.MANIFEST_NAME + " names a path outside the order folder");
            }
            long size = -1; // missing: the verifier names it
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                // A link (of the file or of a folder on its way) could lead off the stick.
                if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                        || !file.toRealPath()
                                .equals(folder.toRealPath().resolve(folder.relativize(file)))) {
                    throw failure(
                            folder.relativize(file) + " is not a plain file in the order folder");
                }
                size = Files.size(file);
            }
            files.add(
                    new PlannedFile(
                            folder.relativize(file).toString(),
                            null,
                            size,
                            entry.substring(0, 64)));
        }
        return new WritePlan(files);
    }

    /** sha256sum's escapes: "\\" is a backslash, "\n" a newline. */
    private static String unescape(String name) {
        StringBuilder plain = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\\' && i + 1 < name.length()) {
                char next = name.charAt(++i);
                plain.append(next == 'n' ? '\n' : next);
            } else {
                plain.append(c);
            }
        }
        return plain.toString();
    }

    private static Path folder(Request request) {
        return Path.of(request.slotPath()).resolve(request.orderId());
    }

    private static JobFailure failure(String reason) {
        return new JobFailure(ErrorCode.VERIFICATION_FAILED, reason);
    }
}
