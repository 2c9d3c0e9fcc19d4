package shop.usb.pipeline.device;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The order's label as each filesystem (and the tools that set it, through the privileged helper)
 * takes it: never an option, never a control character, within the filesystem's length.
 */
class StickLabelerTest {

    @Test
    void aLabelIsNeverReadAsAnOptionNorHoldsAControlCharacter() {
        assertThat(StickLabeler.adjusted("vfat", "-i")).isEqualTo("I");
        assertThat(StickLabeler.adjusted("exfat", "--V ana")).isEqualTo("V ana");
        assertThat(StickLabeler.adjusted("ext4", " -x")).isEqualTo("x");
        assertThat(StickLabeler.adjusted("exfat", "ana\u0085mix\u0007")).isEqualTo("anamix");
        assertThat(StickLabeler.adjusted("vfat", "ana-mix")).isEqualTo("ANA-MIX");
    }

    @Test
    void eachFilesystemKeepsWhatItsLabelHolds() {
        assertThat(StickLabeler.adjusted("vfat", "summer mix 2026")).isEqualTo("SUMMER MIX ");
        assertThat(StickLabeler.adjusted("exfat", "summer mix 2026")).isEqualTo("summer mix ");
        assertThat(StickLabeler.adjusted("ext4", "summer mix 2026 é"))
                .isEqualTo("summer mix 2026 ");
    }
}
