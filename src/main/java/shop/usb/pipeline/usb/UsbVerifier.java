package shop.usb.pipeline.usb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import shop.usb.pipeline.content.Sha256;
import shop.usb.pipeline.content.WritePlan;
import shop.usb.pipeline.content.WritePlan.PlannedFile;
import shop.usb.pipeline.job.ErrorCode;
import shop.usb.pipeline.job.JobFailure;

/** Reads an order folder back and proves it holds exactly the plan: no file extra, missing or different. */
public class UsbVerifier {

    public static final String BEAN_NAME = "usbVerifier";
    private static final int MAX_LISTED = 5;

    public void verify(WritePlan plan, Path folder, Runnable afterEachFile) {
        List<String> problems = new ArrayList<>();
        try {
            Set<String> found = listFiles(folder);
            for (PlannedFile file : plan.files()) {
                if (!found.remove(file.relativePath())) {
                    problems.add("missing " + file.relativePath());
                    continue;
                }
                Path written = folder.resolve(file.relativePath());
                long size = Files.size(written);
                if (size != file.size()) {
                    problems.add(file.relativePath() + " has " + size + " bytes, planned " + file.size());
                } else if (!Sha256.of(written).equals(file.sha256())) {
                    problems.add(file.relativePath() + " differs from the source (SHA-256 mismatch)");
                }
                afterEachFile.run();
            }
            if (!found.remove(WritePlan.MANIFEST_NAME)) {
                problems.add("missing " + WritePlan.MANIFEST_NAME);
            } else if (!Files.readString(folder.resolve(WritePlan.MANIFEST_NAME), StandardCharsets.UTF_8)
                    .equals(plan.manifest())) {
                problems.add(WritePlan.MANIFEST_NAME + " does not match the plan");
            }
            found.forEach(extra -> problems.add("unexpected " + extra));
        } catch (IOException e) {
            throw UsbFaults.classify(folder.getParent(), "Reading back " + folder.getFileName(), e);
        }
        if (!problems.isEmpty()) {
            String listed = String.join("; ", problems.subList(0, Math.min(MAX_LISTED, problems.size())));
            String more = problems.size() > MAX_LISTED ? " (and " + (problems.size() - MAX_LISTED) + " more)" : "";
            throw new JobFailure(ErrorCode.VERIFICATION_FAILED,
                    "Verification of " + folder + " failed: " + listed + more);
        }
    }

    private static Set<String> listFiles(Path folder) throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            Set<String> files = new TreeSet<>();
            paths.filter(p -> !Files.isDirectory(p))
                    .forEach(p -> files.add(folder.relativize(p).toString().replace('\\', '/')));
            return files;
        }
    }
}
