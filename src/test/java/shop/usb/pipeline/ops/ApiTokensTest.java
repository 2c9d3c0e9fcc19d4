package shop.usb.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Named API tokens: who presented which, and a configuration that could not say so is refused. */
class ApiTokensTest {

    @Test
    void aPresentedTokenIsKnownByItsName() {
        ApiTokens tokens = ApiTokens.parse("single-secret", " anna:anna-secret , ci:ci-secret ");

        assertThat(tokens.nameOf("anna-secret")).contains("anna");
        assertThat(tokens.nameOf("ci-secret")).contains("ci");
        assertThat(tokens.nameOf("single-secret")).contains(ApiTokens.SINGLE_TOKEN_NAME);
        assertThat(tokens.nameOf("anna-secre")).isEmpty();
        assertThat(tokens.nameOf("")).isEmpty();
        assertThat(ApiTokens.parse("", "").isEmpty()).isTrue();
    }

    @Test
    void malformedOrAmbiguousTokensStopTheStart() {
        assertThatThrownBy(() -> ApiTokens.parse("", "anna")).hasMessageContaining("name:secret");
        assertThatThrownBy(() -> ApiTokens.parse("", "anna:")).hasMessageContaining("name:secret");
        assertThatThrownBy(() -> ApiTokens.parse("", "an na:x"))
                .hasMessageContaining("name:secret");
        assertThatThrownBy(() -> ApiTokens.parse("", "anna:x,anna:y"))
                .hasMessageContaining("anna is given twice");
        assertThatThrownBy(() -> ApiTokens.parse("", "anna:same,ci:same"))
                .hasMessageContaining("same secret");
        assertThatThrownBy(() -> ApiTokens.parse("same", "ci:same"))
                .hasMessageContaining("same secret");
    }
}
