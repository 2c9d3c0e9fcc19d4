package shop.usb.pipeline.platform;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a newcomer needs to see a job run: a small library and the default USB mount folders. */
final class DemoData {

    private static final Logger LOG = LoggerFactory.getLogger(DemoData.class);
    private static final int KIB = 1024;

    /**
     * Library-relative file names and sizes; the bytes are fixed pseudo-random, so digests are
     * stable.
     */
    private static final Map<String, Integer> LIBRARY =
            Map.of(
                    "music/salsa/01-la-rebelion.mp3", 300 * KIB,
                    "music/salsa/02-pedro-navaja.mp3", 280 * KIB,
                    "music/salsa/03-idilio.mp3", 260 * KIB,
                    "music/jazz/01-so-what.mp3", 320 * KIB,
                    "movies/coco.mp4", 2048 * KIB,
                    "documents/usb-care-guide.pdf", 64 * KIB);

    private DemoData() {}

    static void prepare(PipelineSettings settings) throws IOException {
        if (settings.demoEnabled() && isMissingOrEmpty(settings.folders().contentDir())) {
            createLibrary(settings.folders().contentDir());
        }
        if (!settings.usb().mountsConfigured()) {
            for (Path mount : settings.usb().mounts()) {
                Files.createDirectories(mount);
            }
        }
    }

    private static boolean isMissingOrEmpty(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return true;
        }
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void createLibrary(Path root) throws IOException {
        LOG.info("Creating the demo content library in {}", root);
        for (Map.Entry<String, Integer> file : LIBRARY.entrySet()) {
            Path path = root.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Random bytes = new Random(file.getKey().hashCode());
            byte[] block = new byte[KIB];
            try (OutputStream out = Files.newOutputStream(path)) {
                for (int written = 0; written < file.getValue(); written += KIB) {
                    bytes.nextBytes(block);
                    out.write(block);
                }
            }
        }
    }
}
