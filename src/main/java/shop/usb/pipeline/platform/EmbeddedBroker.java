package shop.usb.pipeline.platform;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.deployers.impl.FileConfigurationParser;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.spi.core.remoting.Acceptor;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.apache.activemq.artemis.utils.XMLUtil;
import org.apache.camel.CamelContext;
import org.apache.camel.support.ResourceHelper;

/**
 * The in-process Artemis broker of the embedded defaults: persistent journal under the data dir,
 * one acceptor for CORE, AMQP and STOMP, and four accounts with their own roles (see broker.xml):
 * the product's own user, a producer that may only send confirmations, a shop that may only listen
 * to status events, and an optional administrator.
 */
public class EmbeddedBroker extends EarlyStartingService {

    static final String CONFIG = "classpath:config/broker.xml";
    static final String PRODUCT_ROLE = "pipeline";
    static final String PRODUCER_ROLE = "producer";
    static final String SHOP_ROLE = "shop";
    static final String ADMIN_ROLE = "admin";

    private final CamelContext context;
    private final PipelineSettings.Broker settings;
    private volatile EmbeddedActiveMQ broker;

    public EmbeddedBroker(CamelContext context, PipelineSettings.Broker settings) {
        this.context = context;
        this.settings = settings;
    }

    /**
     * Starts the broker, and refuses to go on when it does not listen: Artemis only logs an
     * acceptor that cannot bind, and the routes would then connect to whatever holds the port
     * (another instance's broker), taking its orders into this instance's database.
     */
    @Override
    protected void startEarly() throws Exception {
        broker = createBroker();
        broker.start();
        ActiveMQServer server = broker.getActiveMQServer();
        boolean listening =
                server.isActive()
                        && server.getRemotingService() != null
                        && !server.getRemotingService().getAcceptors().isEmpty()
                        && server.getRemotingService().getAcceptors().values().stream()
                                .allMatch(Acceptor::isStarted);
        if (!listening) {
            broker.stop();
            throw new IllegalStateException(
                    "The embedded broker could not listen on port "
                            + context.resolvePropertyPlaceholders("{{pipeline.broker.port}}")
                            + " (pipeline.broker.port): is another instance running on this machine?");
        }
    }

    private EmbeddedActiveMQ createBroker() throws Exception {
        Configuration configuration;
        try (InputStream in =
                ResourceHelper.resolveMandatoryResourceAsInputStream(context, CONFIG)) {
            String xml =
                    context.resolvePropertyPlaceholders(
                            new String(in.readAllBytes(), StandardCharsets.UTF_8));
            configuration = new ConfigurationImpl();
            // Not parseMainConfig(InputStream): it checks the XML against Artemis' schema on every
            // start (a third of the broker's start on two cores) and only logs what it finds.
            // BrokerConfigurationTest holds both broker.xml files against that schema instead.
            new FileConfigurationParser()
                    .parseMainConfig(XMLUtil.stringToElement(xml), configuration);
        }
        SecurityConfiguration users = new SecurityConfiguration();
        PipelineSettings.BrokerAccounts accounts = settings.accounts();
        addUser(users, settings.user(), settings.password(), PRODUCT_ROLE);
        addUser(users, accounts.producerUser(), accounts.producerPassword(), PRODUCER_ROLE);
        addUser(users, accounts.shopUser(), accounts.shopPassword(), SHOP_ROLE);
        addUser(users, accounts.adminUser(), accounts.adminPassword(), ADMIN_ROLE);
        return new EmbeddedActiveMQ()
                .setConfiguration(configuration)
                .setSecurityManager(
                        new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), users));
    }

    private static void addUser(
            SecurityConfiguration users, String user, String password, String role) {
        if (user.isEmpty() || password.isEmpty()) {
            return;
        }
        if (users.getRole(user) != null && !users.getRole(user).isEmpty()) {
            throw new IllegalStateException(
                    "Broker user '"
                            + user
                            + "' is configured for two roles; each account"
                            + " needs its own name (pipeline.broker.user, .producer.user, .shop.user, .admin.user)");
        }
        users.addUser(user, password);
        users.addRole(user, role);
    }

    @Override
    protected void doStop() throws Exception {
        if (broker != null) {
            broker.stop();
        }
    }
}
