package shop.usb.pipeline.station;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import shop.usb.pipeline.content.WritePlan.PlannedFile;
import shop.usb.pipeline.device.Slot;
import shop.usb.pipeline.device.SlotKind;
import shop.usb.pipeline.device.Stick;
import shop.usb.pipeline.device.StickSizes;
import shop.usb.pipeline.job.JobLifecycle.WaitingJob;

/**
 * FAT and exFAT names, FAT32's 4 GiB limit: a stick whose filesystem an order breaks does not fit
 * it.
 */
class StickRulesTest {

    static final long GIB = 1024L * 1024 * 1024;

    @Test
    void namesFatAndExfatRefuseMakeBothRefuseTheOrder() {
        for (String name :
                List.of("a:b.mp3", "what?.mp3", "tab\tname.mp3", "trailing.", "trailing ")) {
            assertThat(StickRules.refusedFilesystems("ORD-1", List.of(file("music/" + name, 10))))
                    .as(name)
                    .containsOnlyKeys("vfat", "exfat")
                    .hasEntrySatisfying(
                            "vfat",
                            reason -> assertThat(reason).startsWith("music/" + name + ": '"));
        }
        assertThat(StickRules.refusedFilesystems("ORD.", List.of(file("a.mp3", 10))))
                .containsOnlyKeys("vfat", "exfat");
        assertThat(
                        StickRules.refusedFilesystems(
                                "ORD-1", List.of(file("Music/A.mp3", 1), file("music/a.mp3", 1))))
                .hasEntrySatisfying(
                        "exfat", reason -> assertThat(reason).contains("differ only in case"));
        assertThat(
                        StickRules.refusedFilesystems(
                                "ORD-1", List.of(file("música/canción ñ.mp3", 10))))
                .isEmpty();
    }

    @Test
    void fileOf4GibOrMoreRefusesFat32Only() {
        assertThat(StickRules.refusedFilesystems("ORD-1", List.of(file("movie.mkv", 4 * GIB))))
                .containsOnlyKeys("vfat")
                .containsEntry(
                        "vfat",
                        "movie.mkv has 4294967296 bytes; FAT32 holds no file of 4 GiB or more on FAT");
        assertThat(StickRules.refusedFilesystems("ORD-1", List.of(file("movie.mkv", 4 * GIB - 1))))
                .isEmpty();
    }

    @Test
    void refusedFilesystemNarrowsWhichSticksFitAndWhichWaitingJobsAStickServes() {
        StickFit station =
                new StickFit(SlotKind.STICK, new StickSizes(0.10, false), StickStock.UNKNOWN);
        Slot slot = Slot.of(Path.of("/usb/slot-1"));
        Map<String, String> refused =
                StickRules.refusedFilesystems("ORD-1", List.of(file("movie.mkv", 5 * GIB)));
        Demand demand = new Demand("ORD-1", "LABEL", 16_000_000_000L, refused);
        Stick fat = new Stick("AB12-CD34", null, 15_500_000_000L, "vfat", null, "8:17");
        Stick exfat = new Stick("AB12-CD35", null, 15_500_000_000L, "exfat", null, "8:33");

        assertThat(station.misfit(slot, fat, demand))
                .isEqualTo("the stick in slot-1 is vfat: " + refused.get("vfat"));
        assertThat(station.misfit(slot, exfat, demand)).isNull();
        WaitingJob waiting =
                new WaitingJob(
                        "job-1",
                        "ORD-1",
                        16_000_000_000L,
                        StickRules.join(refused.keySet()),
                        "high",
                        1_000);
        assertThat(station.canTake(fat, waiting)).isFalse();
        assertThat(station.canTake(exfat, waiting)).isTrue();
        assertThat(new NoStickReadyException(16_000_000_000L, refused).waitingFor())
                .isEqualTo("a 16 GB stick that is not vfat");
    }

    @Test
    void orderNoStockedStickCouldEverTakeIsToldApartFromOneThatWaits() {
        Map<String, String> fat32Breaker =
                StickRules.refusedFilesystems("ORD-1", List.of(file("movie.mkv", 5 * GIB)));

        assertThat(
                        StickStock.parse("8GB", "")
                                .neverFits(16_000_000_000L, Map.of(), new StickSizes(0.10, false)))
                .isEqualTo(
                        "the order was bought on a 16 GB stick; the station is stocked with [8 GB] only"
                                + " (pipeline.usb.stocked-sizes)");
        assertThat(
                        StickStock.parse("8GB", "")
                                .neverFits(16_000_000_000L, Map.of(), new StickSizes(0.10, true)))
                .as("with allow-larger an 8 GB stick still cannot hold 16 GB")
                .isNotNull();
        assertThat(
                        StickStock.parse("8GB,32GB", "")
                                .neverFits(16_000_000_000L, Map.of(), new StickSizes(0.10, true)))
                .isNull();
        assertThat(
                        StickStock.parse("16GB", "vfat")
                                .neverFits(
                                        16_000_000_000L, fat32Breaker, new StickSizes(0.10, false)))
                .startsWith("no stocked filesystem [vfat] can hold the order: movie.mkv has");
        assertThat(
                        StickStock.parse("16GB", "vfat,exfat")
                                .neverFits(
                                        16_000_000_000L, fat32Breaker, new StickSizes(0.10, false)))
                .isNull();
        assertThat(
                        StickStock.UNKNOWN.neverFits(
                                16_000_000_000L, fat32Breaker, new StickSizes(0.10, false)))
                .isNull();
    }

    private static PlannedFile file(String path, long size) {
        return new PlannedFile(path, Path.of("/library").resolve(path), size, null);
    }
}
