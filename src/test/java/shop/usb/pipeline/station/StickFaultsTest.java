package shop.usb.pipeline.station;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.device.SlotKind;
import shop.usb.pipeline.device.Stick;
import shop.usb.pipeline.device.UsbFaults;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.failure.JobFailure;
import shop.usb.pipeline.support.Stations;
import shop.usb.pipeline.support.TestDatabase;

/**
 * A stick that keeps failing with I/O errors is FAULTY; such a failure is the stick's, not the
 * order's. (This machine can make no block device fail with EIO on demand: no device-mapper, no
 * fault injection. The classification and the count are shown here; the pipeline's wiring in
 * JobOutcome is one call.)
 */
class StickFaultsTest {

    @TempDir Path root;
    HikariDataSource dataSource;
    Stations station;
    Path slot;

    @BeforeEach
    void station() throws IOException {
        dataSource = TestDatabase.h2(root.resolve("db")).openMigrated();
        slot = Files.createDirectories(root.resolve("usb/slot-1"));
        station =
                Stations.of(
                        "test-station",
                        dataSource,
                        SlotKind.STICK,
                        false,
                        Duration.ofSeconds(1),
                        List.of(slot));
        station.watch().scan();
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    @Test
    void anInputOutputErrorIsTheSticksFaultAndGivesTheAttemptBack() {
        JobFailure failure =
                UsbFaults.classify(
                        slot,
                        "Writing music/a.mp3",
                        new FileSystemException(
                                slot.resolve("a.mp3").toString(), null, "Input/output error"));

        assertThat(failure.code()).isEqualTo(ErrorCode.USB_IO_ERROR);
        assertThat(failure.code().usesAnAttempt()).isFalse();
        assertThat(failure.code().faultsTheStick()).isTrue();
        assertThat(failure.code().recoverable()).isTrue();
        assertThat(
                        UsbFaults.classify(
                                        slot,
                                        "Writing music/a.mp3",
                                        new FileSystemException(
                                                root.resolve("library/music/a.mp3").toString(),
                                                null,
                                                "Input/output error"))
                                .code())
                .as("an I/O error reading the library is not the stick's")
                .isEqualTo(ErrorCode.IO_ERROR);
        assertThat(
                        UsbFaults.classify(
                                        slot,
                                        "Writing",
                                        new FileSystemException("a", null, "Permission denied"))
                                .code()
                                .faultsTheStick())
                .as("a refused operation is not the stick failing")
                .isFalse();
    }

    @Test
    void theStickIsFaultyAtTheSecondFailureInARowAndANewStickStartsAfresh() {
        SlotRow ready = row();
        assertThat(ready.state()).isEqualTo(SlotState.READY);

        station.slots().noteStickFault("slot-1", ready.stickId(), "keeps failing: EIO");
        assertThat(row().state())
                .as("one failure may be the order's bad luck")
                .isEqualTo(SlotState.READY);
        station.slots().noteStickFault("slot-1", ready.stickId(), "keeps failing: EIO");
        SlotRow faulty = row();
        assertThat(faulty.state()).isEqualTo(SlotState.FAULTY);
        assertThat(faulty.problem()).isEqualTo("keeps failing: EIO");

        // The operator swaps the stick: the new one's count starts at zero.
        station.slots()
                .set(
                        faulty,
                        SlotState.READY,
                        new Stick("another", null, -1, "ext4", null, null),
                        null,
                        null);
        station.slots().noteStickFault("slot-1", "another", "keeps failing: EIO");
        assertThat(row().state()).isEqualTo(SlotState.READY);
        station.slots().noteStickFault("slot-1", ready.stickId(), "the stick that went");
        assertThat(row().state())
                .as("a fault of a stick the slot no longer holds counts for nothing")
                .isEqualTo(SlotState.READY);
    }

    private SlotRow row() {
        return station.slots().rows().get("slot-1");
    }
}
