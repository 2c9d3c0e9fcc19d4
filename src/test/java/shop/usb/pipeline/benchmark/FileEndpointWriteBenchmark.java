package shop.usb.pipeline.benchmark;

import static shop.usb.pipeline.benchmark.Figures.format;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import shop.usb.pipeline.content.ContentDigests;
import shop.usb.pipeline.content.ContentLibrary;
import shop.usb.pipeline.content.Sha256;
import shop.usb.pipeline.content.WritePlan;
import shop.usb.pipeline.content.WritePlan.PlannedFile;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.device.SlotProbe;
import shop.usb.pipeline.lease.Lease;
import shop.usb.pipeline.support.Folders;
import shop.usb.pipeline.support.LoopStick;
import shop.usb.pipeline.support.Stations;
import shop.usb.pipeline.transfer.UsbWriter;
import shop.usb.pipeline.transfer.WriteListener;

/**
 * The write stage as Camel would write it (a split over the plan, a {@code file:} producer with a
 * temporary name and autoCreate=false, fileExist=Fail, a step that fsyncs the file and its folder,
 * a counting and hashing InputStream) against {@link UsbWriter}, on an ext4 stick on a loop device;
 * then which of the writer's guarantees the Camel shape keeps. Needs root. Run: {@code mvn -B test
 * -Pbenchmark -Dtest=FileEndpointWriteBenchmark}; writes target/benchmark-file-endpoint.md.
 */
@Tag("benchmark")
class FileEndpointWriteBenchmark {

    static final int RUNS = 3;
    static final int SMALL_FILES = Integer.getInteger("benchmark.file-endpoint.small-files", 200);
    static final int SMALL_KIB = 64;
    static final int LARGE_FILES = 2;
    static final int LARGE_MIB = Integer.getInteger("benchmark.file-endpoint.large-mib", 256);
    static final String ORDER = "ORD-FILE";
    static final String TEMP_PREFIX = ".part-";
    static final String ROUTE = "direct:write-plan";
    static final String ROUTE_CACHED = "direct:write-plan-cached";

    /** The producer as the experiment configures it: never creates a folder, never replaces. */
    static final String FILE_OPTIONS =
            "fileExist=Fail&tempPrefix=" + TEMP_PREFIX + "&copyAndDeleteOnRenameFail=false";

    final Path root = Path.of("target", "benchmark", "file-endpoint").toAbsolutePath();
    final List<String> findings = new ArrayList<>();
    int tokens;

    /** How the Camel route writes one run; shared by the split's exchanges. */
    static final class CamelRun {
        final WritePlan plan;
        final SlotFilesystem stick;
        final Path staging;
        final WriteListener listener;
        final boolean fileBody;
        final boolean autoCreate;
        final boolean folderPerFile;
        final String[] digests;
        final Set<Path> folders = new LinkedHashSet<>();
        int pullBeforeFile = -1;
        Runnable pull = () -> {};
        boolean renamedBeforeFsync = true;
        boolean streamsClosedByProducer = true;
        String bodySeenByProducer;

        CamelRun(
                WritePlan plan,
                SlotFilesystem stick,
                Path staging,
                WriteListener listener,
                boolean fileBody,
                boolean autoCreate,
                boolean folderPerFile) {
            this.plan = plan;
            this.stick = stick;
            this.staging = staging;
            this.listener = listener;
            this.fileBody = fileBody;
            this.autoCreate = autoCreate;
            this.folderPerFile = folderPerFile;
            this.digests = new String[plan.files().size()];
        }
    }

    /** Counts bytes for progress and hashes them as the file producer reads the source. */
    static final class CountingDigestStream extends InputStream {
        private final FileChannel in;
        private final MessageDigest digest = Sha256.newDigest();
        private final WriteListener listener;
        long count;
        boolean closed;

        CountingDigestStream(FileChannel in, WriteListener listener) {
            this.in = in;
            this.listener = listener;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            int read = in.read(ByteBuffer.wrap(bytes, offset, length));
            if (read > 0) {
                digest.update(bytes, offset, read);
                count += read;
                listener.bytesCopied(read);
            }
            return read;
        }

        @Override
        public void close() throws IOException {
            closed = true;
            in.close();
        }

        String sha256() {
            return Sha256.hex(digest);
        }
    }

    /** Progress as the job would see it. */
    static final class Progress implements WriteListener {
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong files = new AtomicLong();
        Runnable afterFile = () -> {};
        long pullAfterFiles = -1;

        @Override
        public void bytesCopied(long copied) {
            bytes.addAndGet(copied);
        }

        @Override
        public void fileWritten() {
            if (files.incrementAndGet() == pullAfterFiles) {
                afterFile.run();
            }
        }
    }

    @Test
    void run() throws Exception {
        LoopStick.requireMountRights();
        Folders.deleteRecursively(root);
        Files.createDirectories(root);
        Path library = root.resolve("library");
        WritePlan small = library(library.resolve("small"), SMALL_FILES, SMALL_KIB * 1024L, 10);
        WritePlan large =
                library(library.resolve("large"), LARGE_FILES, LARGE_MIB * 1024L * 1024, 1);
        StringBuilder report = new StringBuilder();
        try (CamelContext camel = startCamel()) {
            ProducerTemplate template = camel.createProducerTemplate();
            report.append(
                    "Writing a plan onto an ext4 stick on a loop device (image on "
                            + Files.getFileStore(root).type()
                            + "), median of "
                            + RUNS
                            + " runs, interleaved; Camel "
                            + camel.getVersion()
                            + " (the measured route turns stream caching off; the context's default is "
                            + (camel.isStreamCaching() ? "on" : "off")
                            + ")"
                            + "\n\n| plan | how | MB/s | files/s | / UsbWriter |\n|---|---|---|---|---|\n");
            int stickMiB = (int) (large.totalBytes() / (1024 * 1024)) + 256;
            try (LoopStick stick =
                    LoopStick.mount(root.resolve("stick.img"), root.resolve("slot"), stickMiB)) {
                SlotFilesystem leased = new SlotProbe(true).probe(stick.slot()).require();
                report.append(
                        measure(
                                format("%d × %d KiB", SMALL_FILES, SMALL_KIB),
                                small,
                                leased,
                                template));
                report.append(
                        measure(
                                format("%d × %d MiB", LARGE_FILES, LARGE_MIB),
                                large,
                                leased,
                                template));
            }
            report.append(
                    "\n| guarantee | UsbWriter | Camel shape | evidence |\n|---|---|---|---|\n");
            pulledStick(small, template);
            streamCaching(small, template);
            slotNeverCreated(template);
            createNew(template);
            jail(template);
            sourceOpenedSafely(template);
            findings.forEach(row -> report.append(row).append('\n'));
        }
        System.out.println("\n" + report);
        Files.writeString(
                root.getParent().getParent().resolve("benchmark-file-endpoint.md"), report);
    }

    // ---- the figures

    private String measure(
            String name, WritePlan unknown, SlotFilesystem stick, ProducerTemplate template)
            throws Exception {
        List<String> known = new ArrayList<>();
        for (PlannedFile file : unknown.files()) {
            known.add(Sha256.of(file.source()));
        }
        WritePlan withDigests = unknown.withDigests(known);
        String expectedManifest = withDigests.manifest();
        Map<String, double[]> seconds = new LinkedHashMap<>();
        String[] variants = {
            "UsbWriter, digest unknown (hashes while copying, 1 MiB buffer)",
            "Camel `file:`, counting + hashing InputStream (folder fsync'd per file)",
            "Camel `file:`, counting + hashing InputStream, folders fsync'd once at the end",
            "UsbWriter, digest known (transferTo)",
            "Camel `file:`, File body, digest known (Files.copy; folder fsync'd per file; progress per file only)"
        };
        for (String variant : variants) {
            seconds.put(variant, new double[RUNS]);
        }
        for (int run = 0; run < RUNS; run++) {
            for (int v = 0; v < variants.length; v++) {
                Progress progress = new Progress();
                String token = "r" + (++tokens);
                Path staging = Lease.stagingFolder(stick.slot(), ORDER, token);
                LoopStick.run("sync", "-f", stick.slot().toString());
                long start = System.nanoTime();
                WritePlan written;
                CamelRun camelRun = null;
                switch (v) {
                    case 0 ->
                            written =
                                    new UsbWriter(new ContentDigests(100_000))
                                            .write(
                                                    unknown,
                                                    stick,
                                                    Stations.lease(stick.slot(), ORDER, token),
                                                    progress);
                    case 3 ->
                            written =
                                    new UsbWriter(new ContentDigests(100_000))
                                            .write(
                                                    withDigests,
                                                    stick,
                                                    Stations.lease(stick.slot(), ORDER, token),
                                                    progress);
                    default -> {
                        camelRun =
                                new CamelRun(
                                        v == 4 ? withDigests : unknown,
                                        stick,
                                        staging,
                                        progress,
                                        v == 4,
                                        false,
                                        v != 2);
                        written = writeWithCamel(template, camelRun);
                    }
                }
                seconds.get(variants[v])[run] = (System.nanoTime() - start) / 1e9;
                check(
                        written.manifest().equals(expectedManifest),
                        variants[v]
                                + ": the digests differ; the producer saw "
                                + (camelRun == null
                                        ? ""
                                        : camelRun.bodySeenByProducer
                                                + " "
                                                + camelRun.streamsClosedByProducer)
                                + "\n"
                                + written.manifest().lines().limit(2).toList()
                                + " vs "
                                + expectedManifest.lines().limit(2).toList());
                check(
                        Files.readString(staging.resolve(WritePlan.MANIFEST_NAME))
                                .equals(expectedManifest),
                        variants[v] + ": MANIFEST differs");
                check(
                        progress.bytes.get() == unknown.totalBytes(),
                        variants[v]
                                + ": progress "
                                + progress.bytes
                                + " of "
                                + unknown.totalBytes());
                check(
                        progress.files.get() == unknown.files().size(),
                        variants[v] + ": files " + progress.files);
                if (camelRun != null && findings.isEmpty() && v == 1) {
                    findings.add(
                            format(
                                    "| temp name, then fsync, then the rename | yes (`force` before `ATOMIC_MOVE`) | **no**: the producer renames before any later step runs (renamed before the fsync step: %s); forceWrites is never read | the staging folder is named only after every file and folder is fsync'd, so a crash still leaves no complete-looking order |",
                                    camelRun.renamedBeforeFsync));
                    findings.add(
                            format(
                                    "| digest while copying, source read once; byte progress | yes | yes, with the counting stream (producer saw `%s`, closed it: %s; digests and MANIFEST identical to UsbWriter's) | the route with stream caching off (next rows) |",
                                    camelRun.bodySeenByProducer, camelRun.streamsClosedByProducer));
                }
                Folders.deleteRecursively(staging);
            }
        }
        StringBuilder rows = new StringBuilder();
        double unknownBase = median(seconds.get(variants[0]));
        double knownBase = median(seconds.get(variants[3]));
        for (int v = 0; v < variants.length; v++) {
            double s = median(seconds.get(variants[v]));
            double base = v < 3 ? unknownBase : knownBase;
            rows.append(
                    format(
                            "| %s | %s | %.0f | %.0f | %.2f |%n",
                            name,
                            variants[v],
                            unknown.totalBytes() / 1e6 / s,
                            unknown.files().size() / s,
                            base / s));
        }
        return rows.toString();
    }

    // ---- the Camel shape

    private CamelContext startCamel() throws Exception {
        CamelContext camel = new DefaultCamelContext();
        camel.addRoutes(
                new RouteBuilder() {
                    @Override
                    public void configure() {
                        errorHandler(noErrorHandler());
                        String file =
                                "file:${exchangeProperty.staging}?autoCreate=${exchangeProperty.autoCreate}&"
                                        + FILE_OPTIONS;
                        // The shape as the write stage would need it, and as Camel's default
                        // (stream caching on) would run it.
                        writePlan(
                                from(ROUTE)
                                        .routeId("write-plan-file-endpoint")
                                        .streamCache("false"),
                                file);
                        writePlan(
                                from(ROUTE_CACHED).routeId("write-plan-file-endpoint-cached"),
                                file);
                    }
                });
        camel.start();
        return camel;
    }

    private static void writePlan(org.apache.camel.model.RouteDefinition route, String file) {
        route.process(FileEndpointWriteBenchmark::beginStaging)
                .split(org.apache.camel.builder.Builder.body())
                .stopOnException()
                .process(FileEndpointWriteBenchmark::openSource)
                .toD(file)
                .process(FileEndpointWriteBenchmark::fsyncFileAndFolder)
                .end()
                .process(FileEndpointWriteBenchmark::manifestBody)
                .toD(file)
                .process(FileEndpointWriteBenchmark::fsyncFolders);
    }

    private static WritePlan writeWithCamel(ProducerTemplate template, CamelRun run) {
        return writeWithCamel(template, run, ROUTE);
    }

    private static WritePlan writeWithCamel(ProducerTemplate template, CamelRun run, String route) {
        Exchange done =
                template.send(
                        route,
                        exchange -> {
                            exchange.setProperty("run", run);
                            exchange.setProperty("staging", run.staging.toString());
                            exchange.setProperty("autoCreate", run.autoCreate);
                        });
        if (done.getException() != null) {
            throw new IllegalStateException(done.getException());
        }
        return run.plan.withDigests(Arrays.asList(run.digests));
    }

    /** The run's staging folder, made on the stick and proved to be on it (as UsbWriter does). */
    static void beginStaging(Exchange exchange) throws IOException {
        CamelRun run = exchange.getProperty("run", CamelRun.class);
        run.stick.requirePresent("before the write began");
        Files.createDirectory(run.staging);
        if (!run.stick.holds(run.staging)) {
            Files.deleteIfExists(run.staging);
            throw run.stick.removed("as the write began");
        }
        run.folders.add(run.staging);
        exchange.getIn().setBody(run.plan.files());
    }

    /** The per-file check, the file's folders, and the body the producer copies. */
    static void openSource(Exchange exchange) throws IOException {
        CamelRun run = exchange.getProperty("run", CamelRun.class);
        PlannedFile file = exchange.getIn().getBody(PlannedFile.class);
        int index = exchange.getProperty(Exchange.SPLIT_INDEX, Integer.class);
        if (!run.stick.isPresent()) {
            throw run.stick.removed("before " + file.relativePath() + " was written");
        }
        Path folder = run.staging.resolve(file.relativePath()).normalize().getParent();
        if (folder.startsWith(run.staging)) {
            List<Path> missing = new ArrayList<>();
            for (Path p = folder;
                    !p.equals(run.staging) && !run.folders.contains(p);
                    p = p.getParent()) {
                missing.add(0, p);
            }
            for (Path p : missing) {
                Files.createDirectory(p);
                run.folders.add(p);
            }
        }
        if (index == run.pullBeforeFile) {
            run.pull.run();
        }
        exchange.getIn().setHeader(Exchange.FILE_NAME, file.relativePath());
        if (run.fileBody) {
            exchange.getIn().setBody(file.source().toFile());
        } else {
            CountingDigestStream stream =
                    new CountingDigestStream(
                            ContentLibrary.openChecked(file.source()), run.listener);
            exchange.setProperty("source", stream);
            exchange.getIn().setBody(stream);
        }
    }

    static void fsyncFileAndFolder(Exchange exchange) throws IOException {
        CamelRun run = exchange.getProperty("run", CamelRun.class);
        int index = exchange.getProperty(Exchange.SPLIT_INDEX, Integer.class);
        PlannedFile file = run.plan.files().get(index);
        Path written = run.staging.resolve(file.relativePath()).normalize();
        Path temp = written.resolveSibling(TEMP_PREFIX + written.getFileName());
        run.renamedBeforeFsync &= Files.exists(written) && !Files.exists(temp);
        force(written);
        if (run.folderPerFile) {
            force(written.getParent());
        }
        run.bodySeenByProducer = exchange.getIn().getBody().getClass().getSimpleName();
        CountingDigestStream stream = exchange.getProperty("source", CountingDigestStream.class);
        if (stream != null) {
            run.streamsClosedByProducer &= stream.closed && stream.count == file.size();
            run.digests[index] = stream.sha256();
        } else {
            run.listener.bytesCopied(file.size());
            run.digests[index] = file.sha256();
        }
        run.listener.fileWritten();
    }

    static void manifestBody(Exchange exchange) {
        CamelRun run = exchange.getProperty("run", CamelRun.class);
        exchange.getIn().setHeader(Exchange.FILE_NAME, WritePlan.MANIFEST_NAME);
        exchange.getIn().setBody(run.plan.withDigests(Arrays.asList(run.digests)).manifest());
    }

    static void fsyncFolders(Exchange exchange) throws IOException {
        CamelRun run = exchange.getProperty("run", CamelRun.class);
        force(run.staging.resolve(WritePlan.MANIFEST_NAME));
        List<Path> deepestFirst = new ArrayList<>(run.folders);
        Collections.reverse(deepestFirst);
        for (Path folder : deepestFirst) {
            if (!run.folderPerFile || folder.equals(run.staging)) {
                force(folder);
            }
        }
    }

    private static void force(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    // ---- the guarantees

    /** The stick is pulled (lazy umount) between files: does anything land on the host's disk? */
    private void pulledStick(WritePlan small, ProducerTemplate template) throws Exception {
        WritePlan six = new WritePlan(small.files().subList(0, 6));
        String writer =
                pullAndLook(
                        "usbwriter",
                        six,
                        (stick, leased, progress) -> {
                            progress.pullAfterFiles = 3;
                            progress.afterFile = () -> pull(stick);
                            new UsbWriter(new ContentDigests(100))
                                    .write(
                                            six,
                                            leased,
                                            Stations.lease(leased.slot(), ORDER, "pull"),
                                            progress);
                        });
        String[] camel = new String[2];
        for (boolean autoCreate : new boolean[] {false, true}) {
            camel[autoCreate ? 1 : 0] =
                    pullAndLook(
                            "camel-" + autoCreate,
                            six,
                            (stick, leased, progress) -> {
                                CamelRun run =
                                        new CamelRun(
                                                six,
                                                leased,
                                                Lease.stagingFolder(leased.slot(), ORDER, "pull"),
                                                progress,
                                                false,
                                                autoCreate,
                                                true);
                                run.pullBeforeFile = 3;
                                run.pull = () -> pull(stick);
                                writeWithCamel(template, run);
                            });
        }
        findings.add(
                format(
                        "| a pulled stick never receives a file on the host's disk | yes: %s | with autoCreate=false yes: %s; with autoCreate=true (Camel's default) **no**: %s | stick lazily unmounted after the per-file check, before the producer opens file 4 of 6 |",
                        writer, camel[0], camel[1]));
    }

    @FunctionalInterface
    private interface PullWrite {
        void write(LoopStick stick, SlotFilesystem leased, Progress progress) throws Exception;
    }

    private String pullAndLook(String name, WritePlan plan, PullWrite write) throws Exception {
        Path dir = root.resolve("pull-" + name);
        String outcome;
        try (LoopStick stick = LoopStick.mount(dir.resolve("stick.img"), dir.resolve("slot"), 64)) {
            SlotFilesystem leased = new SlotProbe(true).probe(stick.slot()).require();
            try {
                write.write(stick, leased, new Progress());
                outcome = "the write succeeded";
            } catch (RuntimeException e) {
                Throwable cause = e;
                while (cause.getCause() != null) {
                    cause = cause.getCause();
                }
                outcome = "failed with " + cause.getClass().getSimpleName();
            }
            List<String> onHost;
            try (Stream<Path> walk = Files.walk(stick.slot())) {
                onHost =
                        walk.filter(Files::isRegularFile)
                                .map(p -> stick.slot().relativize(p).toString())
                                .sorted()
                                .toList();
            }
            for (String leftover : onHost) {
                Files.delete(stick.slot().resolve(leftover));
            }
            try (Stream<Path> walk = Files.walk(stick.slot())) {
                for (Path folder :
                        walk.sorted(Collections.reverseOrder())
                                .filter(p -> !p.equals(stick.slot()))
                                .toList()) {
                    Files.delete(folder);
                }
            }
            return outcome
                    + ", files on the host's disk: "
                    + (onHost.isEmpty() ? "none" : "`" + String.join("`, `", onHost) + "`");
        }
    }

    private static void pull(LoopStick stick) {
        try {
            stick.pull();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Camel's default stream caching, inside the split: what does the producer get? */
    private void streamCaching(WritePlan small, ProducerTemplate template) throws Exception {
        WritePlan six = new WritePlan(small.files().subList(0, 6));
        String[] seen = new String[2];
        int n = 0;
        for (String route : List.of(ROUTE, ROUTE_CACHED)) {
            Path slot = root.resolve("stream-caching").resolve("slot-" + (++n));
            Files.createDirectories(slot);
            SlotFilesystem leased = new SlotProbe(false).probe(slot).require();
            CamelRun run =
                    new CamelRun(
                            six,
                            leased,
                            Lease.stagingFolder(slot, ORDER, "cache"),
                            new Progress(),
                            false,
                            false,
                            true);
            writeWithCamel(template, run, route);
            seen[n - 1] = "`" + run.bodySeenByProducer + "`";
        }
        findings.add(
                format(
                        "| the source streams through one buffer (heap stays small: `-Xmx256m`, 4 GiB files) | yes (1 MiB per worker) | with the route's stream caching off yes (producer got %s, 128 KiB buffer); with Camel's default (on) **no**: the producer got %s, a byte array of the whole file (spooling is off by default), read before the write begins | body class after the producer |",
                        seen[0], seen[1]));
    }

    /** A missing slot folder is an unplugged stick: the producer must not create it. */
    private void slotNeverCreated(ProducerTemplate template) {
        String[] outcome = new String[2];
        for (boolean autoCreate : new boolean[] {false, true}) {
            Path slot = root.resolve("missing-slot-" + autoCreate).resolve("slot-1");
            String uri =
                    "file:"
                            + slot.resolve(".ORD.tok.part")
                            + "?autoCreate="
                            + autoCreate
                            + "&"
                            + FILE_OPTIONS;
            String result = send(template, uri, "a.bin", "bytes");
            outcome[autoCreate ? 1 : 0] =
                    result + ", slot folder created: " + Files.isDirectory(slot);
        }
        findings.add(
                format(
                        "| the slot folder is never created | yes (`createDirectory`, no parents) | autoCreate=false yes: %s; autoCreate=true **no**: %s | a file sent to `<missing slot>/.ORD.tok.part` |",
                        outcome[0], outcome[1]));
    }

    /** CREATE_NEW: a file already there under the temporary name is another writer's. */
    private void createNew(ProducerTemplate template) throws IOException {
        Path staging = root.resolve("create-new").resolve(".ORD.tok.part");
        Files.createDirectories(staging);
        Files.writeString(staging.resolve(TEMP_PREFIX + "a.bin"), "another writer's bytes");
        String temp =
                send(
                        template,
                        "file:" + staging + "?autoCreate=false&" + FILE_OPTIONS,
                        "a.bin",
                        "ours");
        String after = Files.readString(staging.resolve("a.bin"));
        Files.writeString(staging.resolve("b.bin"), "already there");
        String target =
                send(
                        template,
                        "file:" + staging + "?autoCreate=false&" + FILE_OPTIONS,
                        "b.bin",
                        "ours");
        findings.add(
                format(
                        "| CREATE_NEW: never write over a file that is there | yes (`CREATE_NEW`) | **no** for the temporary name: %s, `a.bin` holds \"%s\" (the producer deletes a temp file it finds and opens with CREATE, TRUNCATE_EXISTING); fileExist=Fail on the final name: %s, but as exists() then open, not O_EXCL | a temp file and a target placed in the staging folder beforehand; kept in practice only because each run has its own staging folder |",
                        temp, after, target));
    }

    /** Paths never leave the staging folder. */
    private void jail(ProducerTemplate template) throws IOException {
        Path slot = root.resolve("jail").resolve("slot-1");
        Path staging = slot.resolve(".ORD.tok.part");
        Path sibling = slot.resolve(".ORD.tok.part-x");
        Files.createDirectories(staging);
        Files.createDirectories(sibling);
        String uri = "file:" + staging + "?autoCreate=false&" + FILE_OPTIONS;
        String up = send(template, uri, "../escape.bin", "out");
        String prefix = send(template, uri, "../.ORD.tok.part-x/escape.bin", "out");
        boolean escaped =
                Files.exists(slot.resolve("escape.bin"))
                        || Files.exists(sibling.resolve("escape.bin"));
        findings.add(
                format(
                        "| paths never leave the staging folder | yes (`Path.startsWith`, by name elements) | %s: `../escape.bin` %s; `../.ORD.tok.part-x/escape.bin` (a sibling whose name begins with the staging folder's) %s | jailStartingDirectory (on by default) with the staging folder as the endpoint's directory; the product validates plan paths before the write anyway |",
                        escaped ? "**no**" : "yes", up, prefix));
    }

    /**
     * The source is opened through ContentLibary.openChecked: a folder swapped for a link is
     * refused.
     */
    private void sourceOpenedSafely(ProducerTemplate template) throws Exception {
        Path dir = root.resolve("swap");
        Path library = dir.resolve("library");
        Path outside = dir.resolve("outside");
        Files.createDirectories(library.resolve("sub"));
        Files.createDirectories(outside);
        Path source = library.toRealPath().resolve("sub").resolve("f.bin");
        Files.writeString(source, "library bytes");
        Files.writeString(outside.resolve("f.bin"), "bytes from outside the library");
        WritePlan plan =
                new WritePlan(List.of(new PlannedFile("f.bin", source, 13, Sha256.of(source))));
        Files.move(library.resolve("sub"), library.resolve("sub.orig"));
        Files.createSymbolicLink(library.resolve("sub"), outside);
        Map<String, String> outcome = new LinkedHashMap<>();
        int n = 0;
        for (String how : List.of("UsbWriter", "Camel InputStream body", "Camel File body")) {
            Path slot = dir.resolve("slot-" + (++n));
            Files.createDirectories(slot);
            SlotFilesystem leased = new SlotProbe(false).probe(slot).require();
            Path staging = Lease.stagingFolder(slot, ORDER, "swap");
            try {
                if (how.equals("UsbWriter")) {
                    new UsbWriter(new ContentDigests(10))
                            .write(
                                    plan,
                                    leased,
                                    Stations.lease(slot, ORDER, "swap"),
                                    new Progress());
                } else {
                    writeWithCamel(
                            template,
                            new CamelRun(
                                    plan,
                                    leased,
                                    staging,
                                    new Progress(),
                                    how.endsWith("File body"),
                                    false,
                                    true));
                }
                outcome.put(how, "copied \"" + Files.readString(staging.resolve("f.bin")) + "\"");
            } catch (RuntimeException e) {
                outcome.put(how, "refused");
            }
        }
        findings.add(
                format(
                        "| the source is opened through `ContentLibrary.openChecked` | yes: %s | InputStream body (the route opens it) yes: %s; File body (the producer's `Files.copy`, the only kernel copy) **no**: %s | a library folder swapped for a link to outside after planning |",
                        outcome.get("UsbWriter"),
                        outcome.get("Camel InputStream body"),
                        outcome.get("Camel File body")));
    }

    private static String send(ProducerTemplate template, String uri, String name, String body) {
        Exchange done =
                template.send(
                        uri,
                        exchange -> {
                            exchange.getIn().setHeader(Exchange.FILE_NAME, name);
                            exchange.getIn().setBody(body);
                        });
        Exception e = done.getException();
        if (e == null) {
            return "written";
        }
        String message = String.valueOf(e.getMessage());
        return "refused ("
                + e.getClass().getSimpleName()
                + (e instanceof IllegalArgumentException
                        ? ": " + message.substring(0, Math.min(60, message.length())) + "…"
                        : "")
                + ")";
    }

    // ---- fixtures

    /** {@code count} random files of {@code size} bytes in {@code folders} folders. */
    private static WritePlan library(Path dir, int count, long size, int folders)
            throws IOException {
        List<PlannedFile> files = new ArrayList<>();
        Random random = new Random(count);
        byte[] chunk = new byte[(int) Math.min(size, 8L * 1024 * 1024)];
        for (int i = 0; i < count; i++) {
            String relative = format("dir-%02d/file-%03d.bin", i % folders, i);
            Path file = dir.resolve(relative);
            Files.createDirectories(file.getParent());
            try (FileChannel out =
                    FileChannel.open(
                            file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (long done = 0; done < size; done += chunk.length) {
                    random.nextBytes(chunk);
                    out.write(ByteBuffer.wrap(chunk));
                }
            }
            files.add(new PlannedFile(relative, file.toRealPath(), size, null));
        }
        files.sort(java.util.Comparator.comparing(PlannedFile::relativePath));
        return new WritePlan(files);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void check(boolean holds, String what) {
        if (!holds) {
            throw new AssertionError(what);
        }
    }
}
