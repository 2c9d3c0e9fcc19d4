package shop.usb.pipeline.transfer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import shop.usb.pipeline.content.Sha256;
import shop.usb.pipeline.content.WritePlan;
import shop.usb.pipeline.content.WritePlan.PlannedFile;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.device.UsbFaults;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;

/**
 * Reads an order folder back and proves it holds exactly the plan: no file extra, missing or
 * different. Files are read from the device where the filesystem allows it ({@link ReadBack}).
 */
public class UsbVerifier {

    public static final String BEAN_NAME = "usbVerifier";
    private static final int MAX_LISTED = 5;

    /**
     * Throws VERIFICATION_FAILED, or USB_REMOVED when the stick went; returns how the files were
     * read.
     */
    public VerifiedBy verify(
            WritePlan plan, Path folder, SlotFilesystem stick, Runnable afterEachFile) {
        List<String> problems = new ArrayList<>();
        VerifiedBy by = VerifiedBy.DIRECT;
        stick.requirePresent("before verification");
        try {
            Set<String> found = listFiles(folder, plan, problems);
            for (PlannedFile file : plan.files()) {
                if (!found.remove(file.relativePath())) {
                    problems.add("missing " + file.relativePath());
                    continue;
                }
                Path written = folder.resolve(file.relativePath());
                BasicFileAttributes attributes =
                        Files.readAttributes(
                                written, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                long size = attributes.size();
                if (!attributes.isRegularFile()) {
                    problems.add(file.relativePath() + " is not a plain file (a link?)");
                } else if (size != file.size()) {
                    problems.add(
                            file.relativePath()
                                    + " has "
                                    + size
                                    + " bytes, planned "
                                    + file.size());
                } else {
                    ReadBack.Digest read = ReadBack.sha256(written);
                    by = read.by() == VerifiedBy.CACHED ? VerifiedBy.CACHED : by;
                    if (!read.sha256().equals(file.sha256())) {
                        problems.add(
                                file.relativePath()
                                        + " differs from the source (SHA-256 mismatch, read "
                                        + read.by().label()
                                        + ")");
                    }
                }
                afterEachFile.run();
            }
            if (!found.remove(WritePlan.MANIFEST_NAME)) {
                problems.add("missing " + WritePlan.MANIFEST_NAME);
            } else if (!ReadBack.sha256(folder.resolve(WritePlan.MANIFEST_NAME))
                    .sha256()
                    .equals(Sha256.of(plan.manifest().getBytes(StandardCharsets.UTF_8)))) {
                problems.add(WritePlan.MANIFEST_NAME + " does not match the plan");
            }
            found.forEach(extra -> problems.add("unexpected " + extra));
        } catch (IOException e) {
            throw UsbFaults.classify(stick, "Reading back " + folder.getFileName(), e);
        }
        if (!problems.isEmpty()) {
            stick.requirePresent("during verification");
            String listed =
                    String.join("; ", problems.subList(0, Math.min(MAX_LISTED, problems.size())));
            String more =
                    problems.size() > MAX_LISTED
                            ? " (and " + (problems.size() - MAX_LISTED) + " more)"
                            : "";
            throw new JobFailure(
                    ErrorCode.VERIFICATION_FAILED,
                    "Verification of " + folder + " failed: " + listed + more);
        }
        return by;
    }

    /**
     * The folder's files, links and other non-folders, by relative path; links are not followed.
     * The walk stops a few entries past what the plan could hold (its files, the manifest, their
     * folders), so a hostile stick of millions of entries costs no more than the order.
     */
    private static Set<String> listFiles(Path folder, WritePlan plan, List<String> problems)
            throws IOException {
        Set<Path> plannedFolders = new HashSet<>();
        for (PlannedFile file : plan.files()) {
            for (Path parent = Path.of(file.relativePath()).getParent();
                    parent != null;
                    parent = parent.getParent()) {
                plannedFolders.add(parent);
            }
        }
        long mostEntries = 2L + plan.files().size() + plannedFolders.size() + MAX_LISTED;
        Set<String> files = new TreeSet<>();
        try (Stream<Path> paths = Files.walk(folder)) {
            Iterator<Path> walk = paths.iterator();
            for (long seen = 0; walk.hasNext(); seen++) {
                if (seen == mostEntries) {
                    problems.add(
                            "the folder holds more than "
                                    + mostEntries
                                    + " entries; the order wrote "
                                    + (plan.files().size() + 1)
                                    + " files");
                    break;
                }
                Path path = walk.next();
                if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    files.add(folder.relativize(path).toString());
                }
            }
        }
        return files;
    }
}
