package shop.usb.pipeline.station;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.usb.pipeline.device.BlockDevices;
import shop.usb.pipeline.device.Mounter;
import shop.usb.pipeline.device.Ports;
import shop.usb.pipeline.device.PrivilegedCommands;
import shop.usb.pipeline.device.Slot;
import shop.usb.pipeline.device.SlotKind;
import shop.usb.pipeline.device.SlotProbe;
import shop.usb.pipeline.device.Stick;
import shop.usb.pipeline.device.StickFormat;
import shop.usb.pipeline.failure.ErrorCode;
import shop.usb.pipeline.support.LoopStick;

/**
 * Room for an order on a port that formats: what the stick holds now does not count, what it will
 * hold once formatted does, so an order bigger than that is never written there (it would fail
 * USB_FULL, an attempt each time).
 */
class StationRoomTest {

    static final long MIB = 1024 * 1024;

    @TempDir Path root;

    @Test
    void onAPortThatFormatsTheRoomIsWhatTheStickHoldsOnceFormatted() {
        LoopStick.requireMountRights();
        LoopStick.requireTools(
                "fdisk util-linux dosfstools exfatprogs",
                "sfdisk",
                "partx",
                "blkid",
                "mkfs.vfat",
                "mkfs.exfat");
        Slot slot = Slot.of(root.resolve("slots/slot-1"));
        Ports ports =
                new Ports(
                        List.of(new Ports.Port(slot, root.resolve("ports/port-1"))),
                        new BlockDevices(),
                        new Mounter(Map.of(), PrivilegedCommands.direct()),
                        StickFormat.AUTO);
        Station station =
                new Station(
                        "test-station",
                        List.of(slot),
                        SlotKind.STICK,
                        new SlotProbe(true, ports, new BlockDevices()),
                        ports);
        Stick stick = new Stick("a", null, 100 * MIB, "ext4", null, null);

        assertThat(station.lacksRoom(slot, stick, 90 * MIB)).isNull();
        assertThat(station.lacksRoom(slot, stick, 99 * MIB).code()).isEqualTo(ErrorCode.USB_FULL);
    }
}
