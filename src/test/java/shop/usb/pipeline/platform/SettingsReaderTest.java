package shop.usb.pipeline.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/**
 * Settings found by their prefix wherever they are set: a mount command for ext4 given only as a
 * JVM system property (as the benchmark's product gets its settings) or an environment variable was
 * never found, and its sticks waited for a mount for ever.
 */
class SettingsReaderTest {

    @Test
    void keysWithAPrefixAreFoundInTheFilesTheSystemPropertiesAndTheEnvironment() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Properties files = new Properties();
            files.setProperty("pipeline.usb.mount.vfat", "fusefat {device} {mountpoint}");
            files.setProperty("pipeline.usb.mounts", "not a mount command");
            context.getPropertiesComponent().setInitialProperties(files);
            Properties system = new Properties();
            system.setProperty("pipeline.usb.mount.ext4", "mount -t ext4 {device} {mountpoint}");
            system.setProperty("pipeline.usb.other", "x");

            assertThat(
                            new SettingsReader(context.getPropertiesComponent())
                                    .keysStartingWith(
                                            "pipeline.usb.mount.",
                                            system,
                                            Map.of(
                                                    "PIPELINE_USB_MOUNT_XFS", "mount …",
                                                    "PIPELINE_USB_MOUNTS", "/media/a")))
                    .containsExactly(
                            "pipeline.usb.mount.ext4",
                            "pipeline.usb.mount.vfat",
                            "pipeline.usb.mount.xfs");
        }
    }
}
