package shop.usb.pipeline.platform;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.deployers.impl.FileConfigurationParser;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.support.ResourceHelper;

/**
 * The in-process Artemis broker of the embedded defaults: persistent journal under the data dir,
 * one acceptor for CORE, AMQP and STOMP, and only the configured user may connect.
 */
public class EmbeddedBroker extends EarlyStartingService {

    static final String CONFIG = "classpath:config/broker.xml";
    static final String ROLE = "pipeline";

    private final CamelContext context;
    private final PipelineSettings settings;
    private volatile EmbeddedActiveMQ broker;

    public EmbeddedBroker(CamelContext context, PipelineSettings settings) {
        this.context = context;
        this.settings = settings;
    }

    @Override
    protected void startEarly() throws Exception {
        broker = createBroker();
        broker.start();
    }

    private EmbeddedActiveMQ createBroker() throws Exception {
        Configuration configuration;
        try (InputStream in = ResourceHelper.resolveMandatoryResourceAsInputStream(context, CONFIG)) {
            String xml = context.resolvePropertyPlaceholders(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            configuration = new FileConfigurationParser()
                    .parseMainConfig(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        }
        SecurityConfiguration users = new SecurityConfiguration();
        users.addUser(settings.brokerUser(), settings.brokerPassword());
        users.addRole(settings.brokerUser(), ROLE);
        return new EmbeddedActiveMQ()
                .setConfiguration(configuration)
                .setSecurityManager(new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), users));
    }

    @Override
    protected void doStop() throws Exception {
        if (broker != null) {
            broker.stop();
        }
    }
}
