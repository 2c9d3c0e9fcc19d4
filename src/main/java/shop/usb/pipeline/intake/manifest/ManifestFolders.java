package shop.usb.pipeline.intake.manifest;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The inbox and the done/ and error/ folders beside its files. A manifest keeps its name when it
 * moves, with -2, -3, ... before the extension when an earlier manifest of that name is there: a
 * dropped-again file never overwrites the earlier one or its report.
 */
final class ManifestFolders {

    static final String DONE = "done";
    static final String ERROR = "error";

    private final Path inbox;

    ManifestFolders(Path inbox) {
        this.inbox = inbox.toAbsolutePath().normalize();
    }

    Path inbox() {
        return inbox;
    }

    /** A name free in both done/ and error/, so the file can end in either. */
    String freeName(String fileName) {
        String name = plainName(fileName);
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        String extension = dot > 0 ? name.substring(dot) : "";
        String candidate = name;
        for (int n = 2; taken(candidate); n++) {
            candidate = base + "-" + n + extension;
        }
        return candidate;
    }

    private boolean taken(String name) {
        for (String folder : new String[] {DONE, ERROR}) {
            Path dir = inbox.resolve(folder);
            if (Files.exists(dir.resolve(name))
                    || Files.exists(dir.resolve(name + ManifestReport.SUFFIX))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A file name from the inbox listing; refused, never used, if it could name anything but a file
     * in one folder.
     */
    private String plainName(String fileName) {
        Path name = Path.of(fileName);
        if (name.getNameCount() != 1
                || name.isAbsolute()
                || fileName.equals("..")
                || fileName.equals(".")) {
            throw new IllegalArgumentException(
                    "The manifest name '" + fileName + "' is not a plain file name");
        }
        Path resolved = inbox.resolve(DONE).resolve(name).normalize();
        if (!resolved.getParent().equals(inbox.resolve(DONE))) {
            throw new IllegalArgumentException(
                    "The manifest name '" + fileName + "' leaves the inbox");
        }
        return fileName;
    }
}
