package shop.usb.pipeline.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.transform.dom.DOMSource;
import org.apache.activemq.artemis.utils.XMLUtil;
import org.apache.activemq.artemis.utils.XmlProvider;
import org.junit.jupiter.api.Test;
import org.xml.sax.SAXParseException;

/**
 * Both broker.xml files against Artemis' own schema: the embedded broker skips that check on every
 * start (it only logged what it found), so a mistake must show here.
 */
class BrokerConfigurationTest {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^}]+)}}");

    @Test
    void theEmbeddedBrokersConfigurationWithItsDefaultsIsValid() throws Exception {
        validate(withDefaults(Files.readString(Path.of("config", "broker.xml"))));
    }

    @Test
    void theComposeBrokersConfigurationIsValid() throws Exception {
        validate(Files.readString(Path.of("docker", "artemis", "broker.xml")));
    }

    @Test
    void aMistakeInTheConfigurationIsFound() throws Exception {
        String broken =
                withDefaults(Files.readString(Path.of("config", "broker.xml")))
                        .replaceFirst(
                                "<max-redelivery-delay>[^<]*</max-redelivery-delay>",
                                "<max-redelivery-delay>soon</max-redelivery-delay>");
        assertThat(broken).contains("<max-redelivery-delay>soon<");

        assertThatThrownBy(() -> validate(broken))
                .isInstanceOf(SAXParseException.class)
                .hasMessageContaining("soon");
    }

    private static void validate(String xml) throws Exception {
        XmlProvider.newValidator(
                        BrokerConfigurationTest.class
                                .getClassLoader()
                                .getResource("schema/artemis-server.xsd"))
                .validate(new DOMSource(XMLUtil.stringToElement(xml)));
    }

    /**
     * The placeholders resolved from config/application.properties, as the product resolves them.
     */
    private static String withDefaults(String xml) throws IOException {
        Properties defaults = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("config", "application.properties"))) {
            defaults.load(in);
        }
        String resolved = xml;
        for (Matcher placeholder = PLACEHOLDER.matcher(resolved);
                placeholder.find();
                placeholder = PLACEHOLDER.matcher(resolved)) {
            String value = defaults.getProperty(placeholder.group(1));
            assertThat(value).as("a default for %s", placeholder.group(1)).isNotNull();
            resolved = placeholder.replaceFirst(Matcher.quoteReplacement(value.trim()));
        }
        return resolved;
    }
}
