package shop.usb.pipeline.intake.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
            claim.store("done", claim.freeName(), out -> out.write("{}".getBytes()));
            claim.release();
        }

        assertThat(inbox.resolve("done/a.csv")).hasContent("orderId\n");
        assertThat(inbox.resolve("done/a.csv.report.json")).hasContent("{}");
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
    void aPlantedReportLinkIsReplacedNotWrittenThrough() throws IOException {
        Path victim = Files.writeString(outside.resolve("victim.db"), "keep");
        Files.createDirectories(inbox.resolve("done"));
        Files.createSymbolicLink(inbox.resolve("done/.a.csv.report.json.part"), victim);
        Files.createSymbolicLink(inbox.resolve("done/a.csv.report.json"), victim);
        Files.writeString(inbox.resolve("a.csv"), "orderId\n");

        try (ManifestClaim claim = folders.claim("a.csv").orElseThrow()) {
            claim.store("done", "a.csv", out -> out.write("{}".getBytes()));
        }

        assertThat(victim).hasContent("keep");
        assertThat(Files.isSymbolicLink(inbox.resolve("done/a.csv.report.json"))).isFalse();
        assertThat(inbox.resolve("done/a.csv.report.json")).hasContent("{}");
        assertThat(inbox.resolve("done/.a.csv.report.json.part")).doesNotExist();
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

    @Test
    void aNameThatLeavesTheFolderIsRefused() {
        for (String name : new String[] {"../a.csv", "/etc/passwd", "..", ".claimed-station-1"}) {
            assertThatThrownBy(() -> folders.claim(name))
                    .as(name)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
