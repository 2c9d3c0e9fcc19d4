package shop.usb.pipeline.intake.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inbox's own folders: claimed, stored and given back through folder handles, never links. */
class ManifestFoldersTest {

    @TempDir Path root;
    Path inbox;
    Path outside;
    ManifestFolders folders;

    @BeforeEach
    void inbox() throws IOException {
        inbox = Files.createDirectories(root.resolve("inbox"));
        outside = Files.createDirectories(root.resolve("outside"));
        folders = new ManifestFolders(inbox, "station-1");
    }

    @Test
    void aClaimedManifestIsStoredBesideItsReport() throws IOException {
        Files.writeString(inbox.resolve("a.csv"), "orderId\n");

        try (ManifestClaim claim = folders.claim("a.csv").orElseThrow()) {
            assertThat(inbox.resolve("a.csv")).doesNotExist();
            assertThat(inbox.resolve(".claimed-station-1/a.csv")).exists();
            assertThat(claim.attributes().isRegularFile()).isTrue();
            try (var in = claim.open()) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("orderId\n");
            }
            assertThat(claim.store("done", ManifestFoldersTest::report)).isEqualTo("a.csv");
            claim.release();
        }

        assertThat(inbox.resolve("done/a.csv")).hasContent("orderId\n");
        assertThat(inbox.resolve("done/a.csv.report.json")).hasContent("stored as a.csv");
        assertThat(
                        PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(inbox.resolve(".claimed-station-1"))))
                .isEqualTo("rwx------");
    }

    @Test
    void aFileAnotherInstanceClaimedFirstIsLeftToIt() throws IOException {
        assertThat(folders.claim("gone.csv")).isEmpty();
    }

    @Test
    void aLinkInPlaceOfDoneOrErrorIsRefusedAndTheFileStays() throws IOException {
        for (String folder : new String[] {"done", "error", ".claimed-station-1"}) {
            Path inboxFolder = inbox.resolve(folder);
            Files.createDirectories(inboxFolder);
            Files.move(inboxFolder, root.resolve("moved-" + folder));
            Files.createSymbolicLink(inboxFolder, outside);
            Files.writeString(inbox.resolve("a.csv"), "orderId\n");

            assertThatThrownBy(() -> folders.claim("a.csv"))
                    .isInstanceOf(InboxFolderRefusedException.class)
                    .hasMessageContaining(inboxFolder + " is not a real folder");

            assertThat(inbox.resolve("a.csv")).exists();
            try (var left = Files.list(outside)) {
                assertThat(left).as("nothing went through the link").isEmpty();
            }
            Files.delete(inboxFolder);
            Files.move(root.resolve("moved-" + folder), inboxFolder);
        }
    }

    @Test
    void aClaimFolderOthersMayWriteIsRefused() throws IOException {
        Files.createDirectory(
                inbox.resolve(".claimed-station-1"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(
                inbox.resolve(".claimed-station-1"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(inbox.resolve("a.csv"), "orderId\n");

        assertThatThrownBy(() -> folders.claim("a.csv"))
                .isInstanceOf(InboxFolderRefusedException.class)
                .hasMessageContaining("may be written by others (rwxrwxrwx)");
        assertThat(inbox.resolve("a.csv")).exists();
    }

    @Test
    void aPlantedReportLinkIsPassedOverNeverWrittenThrough() throws IOException {
        Path victim = Files.writeString(outside.resolve("victim.db"), "keep");
        Files.createDirectories(inbox.resolve("done"));
        Files.createSymbolicLink(inbox.resolve("done/a.csv.report.json"), victim);
        Files.writeString(inbox.resolve("a.csv"), "orderId\n");

        try (ManifestClaim claim = folders.claim("a.csv").orElseThrow()) {
            assertThat(claim.store("done", ManifestFoldersTest::report)).isEqualTo("a-2.csv");
        }

        assertThat(victim).hasContent("keep");
        assertThat(inbox.resolve("done/a-2.csv.report.json")).hasContent("stored as a-2.csv");
        assertThat(inbox.resolve("done/a-2.csv")).hasContent("orderId\n");
    }

    @Test
    void twoInstancesStoringOneNameAtOnceKeepBoth() throws IOException {
        ManifestFolders other = new ManifestFolders(inbox, "station-2");
        Files.writeString(inbox.resolve("a.csv"), "first\n");
        ManifestClaim first = folders.claim("a.csv").orElseThrow();
        Files.writeString(inbox.resolve("a.csv"), "second\n");
        ManifestClaim second = other.claim("a.csv").orElseThrow();

        try (first;
                second) {
            assertThat(second.store("done", ManifestFoldersTest::report)).isEqualTo("a.csv");
            assertThat(first.store("error", ManifestFoldersTest::report)).isEqualTo("a-2.csv");
        }

        assertThat(inbox.resolve("done/a.csv")).hasContent("second\n");
        assertThat(inbox.resolve("error/a-2.csv")).hasContent("first\n");
        assertThat(inbox.resolve("error/a-2.csv.report.json")).hasContent("stored as a-2.csv");
    }

    @Test
    void aFifoOrAFileInPlaceOfAFolderIsRefusedWithoutBlocking() throws Exception {
        Files.writeString(inbox.resolve("a.csv"), "orderId\n");
        Process mkfifo = new ProcessBuilder("mkfifo", inbox.resolve("done").toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () ->
                        assertThatThrownBy(() -> folders.claim("a.csv"))
                                .hasMessageContaining("done is not a real folder (not a folder)"));
        Files.delete(inbox.resolve("done"));
        Files.writeString(inbox.resolve("error"), "a file");
        assertThatThrownBy(() -> folders.claim("a.csv"))
                .hasMessageContaining("error is not a real folder (not a folder)");
        assertThat(inbox.resolve("a.csv")).exists();
    }

    @Test
    void aNameTooLongForItsReportIsStoredShortened() throws IOException {
        String name = "a".repeat(250) + ".csv";
        Files.writeString(inbox.resolve(name), "orderId\n");

        String stored;
        try (ManifestClaim claim = folders.claim(name).orElseThrow()) {
            stored = claim.store("done", ManifestFoldersTest::report);
        }

        assertThat(stored).isEqualTo("a".repeat(196) + ".csv");
        assertThat(inbox.resolve("done").resolve(stored + ".report.json")).exists();
    }

    @Test
    void aNameIsCutWholeCharactersAtATime() {
        String name = "\u00e9".repeat(120) + ".csv";
        assertThat(ManifestFolders.candidate(name, 1)).isEqualTo("\u00e9".repeat(98) + ".csv");
        assertThat(ManifestFolders.candidate(name, 2)).isEqualTo("\u00e9".repeat(97) + "-2.csv");
        assertThat(ManifestFolders.candidate("orders.csv", 3)).isEqualTo("orders-3.csv");
        assertThat(ManifestFolders.candidate("README", 2)).isEqualTo("README-2");
    }

    @Test
    void anInboxOthersMayWriteWithoutTheStickyBitIsNamed() throws Exception {
        assertThat(new ProcessBuilder("chmod", "0777", inbox.toString()).start().waitFor())
                .isZero();
        assertThat(folders.swappableBecause()).contains("mode 777").contains("chmod +t");
        assertThat(new ProcessBuilder("chmod", "1777", inbox.toString()).start().waitFor())
                .isZero();
        assertThat(folders.swappableBecause()).isNull();
    }

    @Test
    void aFailedReadGivesTheManifestBackUnderAFreeName() throws IOException {
        Files.writeString(inbox.resolve("a.csv"), "first\n");
        Optional<ManifestClaim> claimed = folders.claim("a.csv");
        Files.writeString(inbox.resolve("a.csv"), "dropped meanwhile\n");

        try (ManifestClaim claim = claimed.orElseThrow()) {
            claim.release();
        }

        assertThat(inbox.resolve("a.csv")).hasContent("dropped meanwhile\n");
        assertThat(inbox.resolve("a-2.csv")).hasContent("first\n");
    }

    @Test
    void theNextClaimGivesBackWhatAStopLeftClaimed() throws IOException {
        Files.writeString(inbox.resolve("a.csv"), "orderId\n");
        folders.claim("a.csv").orElseThrow().close();
        Files.writeString(inbox.resolve("b.csv"), "orderId\n");

        folders.claim("b.csv").orElseThrow().close();

        assertThat(inbox.resolve("a.csv")).hasContent("orderId\n");
    }

    @Test
    void aStartGivesBackWhatACrashLeftClaimed() throws IOException {
        Files.writeString(inbox.resolve("a.csv"), "orderId\n");
        folders.claim("a.csv").orElseThrow().close();
        assertThat(inbox.resolve("a.csv")).doesNotExist();

        assertThat(new ManifestFolders(inbox, "station-2").returnClaimed())
                .as("another instance's claims are its own")
                .isEmpty();
        assertThat(new ManifestFolders(inbox, "station-1").returnClaimed())
                .containsExactly("a.csv");

        assertThat(inbox.resolve("a.csv")).hasContent("orderId\n");
    }

    private static void report(String storedName, OutputStream out) throws IOException {
        out.write(("stored as " + storedName).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aNameThatLeavesTheFolderIsRefused() {
        for (String name : new String[] {"../a.csv", "/etc/passwd", "..", ".claimed-station-1"}) {
            assertThatThrownBy(() -> folders.claim(name))
                    .as(name)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
