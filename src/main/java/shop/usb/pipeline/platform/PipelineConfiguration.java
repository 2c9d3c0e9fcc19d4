package shop.usb.pipeline.platform;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import javax.sql.DataSource;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.spi.Registry;
import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.apache.camel.support.service.ServiceSupport;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;
import org.springframework.jms.connection.JmsTransactionManager;
import shop.usb.pipeline.content.ContentDigests;
import shop.usb.pipeline.content.ContentLibrary;
import shop.usb.pipeline.intake.OrderConfirmationValidator;
import shop.usb.pipeline.intake.OrderIntake;
import shop.usb.pipeline.intake.OrderSubmission;
import shop.usb.pipeline.intake.manifest.ManifestIntake;
import shop.usb.pipeline.job.FollowUps;
import shop.usb.pipeline.job.JobRecovery;
import shop.usb.pipeline.job.JobRepository;
import shop.usb.pipeline.job.JobRetention;
import shop.usb.pipeline.job.LiveRuns;
import shop.usb.pipeline.ops.ApiErrors;
import shop.usb.pipeline.ops.ApiServerSetup;
import shop.usb.pipeline.ops.AuditTrail;
import shop.usb.pipeline.ops.BulkActions;
import shop.usb.pipeline.ops.ChangeFeed;
import shop.usb.pipeline.ops.DashboardCharts;
import shop.usb.pipeline.ops.HttpGate;
import shop.usb.pipeline.ops.JobsApi;
import shop.usb.pipeline.ops.LiveEvents;
import shop.usb.pipeline.ops.SlotsApi;
import shop.usb.pipeline.ops.health.PartHealthCheck;
import shop.usb.pipeline.ops.health.PipelineHealth;
import shop.usb.pipeline.ops.health.UsbMountsHealthCheck;
import shop.usb.pipeline.ops.metrics.CachedStatusCounts;
import shop.usb.pipeline.ops.metrics.PipelineMetrics;
import shop.usb.pipeline.stage.JobClaimer;
import shop.usb.pipeline.stage.JobOutcome;
import shop.usb.pipeline.stage.SelectContentStage;
import shop.usb.pipeline.stage.ValidateStage;
import shop.usb.pipeline.stage.VerifyStage;
import shop.usb.pipeline.stage.WriteUsbStage;
import shop.usb.pipeline.usb.SlotProbe;
import shop.usb.pipeline.usb.StickEjector;
import shop.usb.pipeline.usb.StickLabeler;
import shop.usb.pipeline.usb.StickReverifier;
import shop.usb.pipeline.usb.UsbMountAllocator;
import shop.usb.pipeline.usb.UsbStation;
import shop.usb.pipeline.usb.UsbVerifier;
import shop.usb.pipeline.usb.UsbWriter;

/**
 * Wires the product: broker, database, JMS and the beans the routes call by name. Runs before any
 * route starts, so the schema is migrated and the embedded broker is up when consumers connect.
 */
public class PipelineConfiguration implements CamelConfiguration {

    private static final String METRICS_REGISTRY = "metricsRegistry";
    private static final int MAX_JSON_DEPTH = 32;
    private static final long BROKER_CALL_TIMEOUT_MS = 5_000;

    @Override
    public void configure(CamelContext context) throws Exception {
        PipelineSettings settings = PipelineSettings.from(context);
        Clock clock = Clock.systemUTC();
        Registry registry = context.getRegistry();
        registry.bind(PipelineSettings.BEAN_NAME, settings);

        Database database = new Database(settings.database());
        context.addService(database.beginStart(), true, true);
        if (settings.broker().embedded()) {
            context.addService(
                    new EmbeddedBroker(context, settings.broker()).beginStart(), true, true);
        }
        DemoData.prepare(settings);
        DataSource dataSource = database.dataSource();
        registry.bind("dataSource", dataSource);
        JmsPoolConnectionFactory brokerConnections = connectionPool(settings);
        // Services stop in reverse order: the pooled connections close before the embedded broker
        // stops.
        context.addService(new StopAction(brokerConnections::stop), true, true);
        JmsComponent jms = JmsComponent.jmsComponent(brokerConnections);
        // No route answers a message: a JMSReplyTo from outside must not make one send anywhere.
        jms.getConfiguration().setDisableReplyTo(true);
        registry.bind("jms", jms);
        // Routes marked "transacted: jmsTransaction" send all their messages in one JMS
        // transaction.
        registry.bind(
                "jmsTransaction",
                new SpringTransactionPolicy(new JmsTransactionManager(brokerConnections)));

        // Confirmations are shallow: deeper nesting, or a string longer than a whole confirmation
        // may be,
        // is refused while parsing, before it is held.
        ObjectMapper mapper =
                JsonMapper.builder(
                                JsonFactory.builder()
                                        .streamReadConstraints(
                                                StreamReadConstraints.builder()
                                                        .maxNestingDepth(MAX_JSON_DEPTH)
                                                        .maxStringLength(
                                                                (int) settings.intake().maxBytes())
                                                        .build())
                                        .build())
                        .build();
        JobRepository jobs = new JobRepository(dataSource, settings.progressInterval(), clock);
        AuditTrail audit =
                new AuditTrail(
                        dataSource,
                        settings.retention().auditKeptFor(),
                        settings.retention().batchSize(),
                        clock);
        registry.bind(AuditTrail.BEAN_NAME, audit);
        PipelineMetrics metrics =
                new PipelineMetrics(
                        meterRegistry(registry),
                        new CachedStatusCounts(jobs, clock),
                        settings.usb().mounts(),
                        clock);
        registry.bind(PipelineMetrics.BEAN_NAME, metrics);
        OrderConfirmationValidator validator =
                new OrderConfirmationValidator(mapper, settings.intake().orderLimits());
        ContentLibrary library =
                new ContentLibrary(
                        settings.folders().contentDir(), settings.intake().orderLimits());
        // Digests of library files by content version: 20,000 entries take about 10 MB of heap.
        ContentDigests digests = new ContentDigests(20_000);
        UsbStation station =
                new UsbStation(
                        settings.instanceId(),
                        settings.usb().mounts().stream().map(UsbStation.Slot::of).toList(),
                        settings.usb().slotKind(),
                        new SlotProbe(settings.usb().requireMount()),
                        dataSource,
                        jobs,
                        settings.sticks().wipe(),
                        settings.folders().dataDir().resolve("delivered"),
                        settings.sticks().sizeTolerance(),
                        settings.sticks().allowLarger(),
                        settings.sticks().stock());
        registry.bind(UsbStation.BEAN_NAME, station);
        registry.bind(SlotsApi.BEAN_NAME, new SlotsApi(station, audit));
        registry.bind(
                StickReverifier.BEAN_NAME,
                new StickReverifier(
                        jobs, new SlotProbe(settings.usb().requireMount()), new UsbVerifier()));
        registry.bind(DashboardCharts.BEAN_NAME, new DashboardCharts(jobs, metrics, station));
        UsbMountAllocator mounts =
                new UsbMountAllocator(
                        station,
                        dataSource,
                        settings.usb().allocationTimeout(),
                        settings.usb().reserveBytes(),
                        clock);
        LiveRuns liveRuns = new LiveRuns(jobs, context, settings.recovery().stalledAfter());
        // Stopped after the routes: runs finishing during a graceful shutdown keep beating.
        context.addService(liveRuns, true, true);
        registry.bind(JobRepository.BEAN_NAME, jobs);
        registry.bind(LiveRuns.BEAN_NAME, liveRuns);
        registry.bind(FollowUps.BEAN_NAME, new FollowUps());
        registry.bind(
                JobRecovery.BEAN_NAME,
                new JobRecovery(
                        jobs,
                        liveRuns,
                        settings.retryPolicy(),
                        settings.instanceId(),
                        settings.recovery().stalledAfter(),
                        settings.recovery().overdueAfter(),
                        settings.recovery().queuedOverdueAfter(),
                        metrics,
                        clock,
                        station::removeUnrecordedOrder));
        registry.bind(
                JobRetention.BEAN_NAME,
                new JobRetention(
                        jobs,
                        settings.retention().jobsKeptFor(),
                        settings.retention().batchSize(),
                        clock));
        registry.bind(OrderConfirmationValidator.BEAN_NAME, validator);
        registry.bind(ContentLibrary.BEAN_NAME, library);
        registry.bind(UsbMountAllocator.BEAN_NAME, mounts);
        registry.bind(
                OrderIntake.BEAN_NAME,
                new OrderIntake(jobs, validator, settings.intake().maxBytes(), metrics));
        registry.bind(OrderSubmission.BEAN_NAME, new OrderSubmission(validator));
        registry.bind(
                ManifestIntake.BEAN_NAME,
                new ManifestIntake(
                        settings.folders().manifestDir(),
                        validator,
                        library,
                        jobs,
                        mapper,
                        settings.intake().maxBytes(),
                        clock));
        registry.bind(
                JobClaimer.BEAN_NAME,
                new JobClaimer(jobs, liveRuns, settings.instanceId(), metrics, clock));
        registry.bind(ValidateStage.BEAN_NAME, new ValidateStage(jobs, validator, library));
        registry.bind(
                SelectContentStage.BEAN_NAME,
                new SelectContentStage(
                        jobs, digests, liveRuns, settings.progressInterval(), clock));
        registry.bind(
                WriteUsbStage.BEAN_NAME,
                new WriteUsbStage(
                        jobs,
                        mounts,
                        new UsbWriter(digests),
                        liveRuns,
                        settings.progressInterval(),
                        metrics,
                        clock));
        registry.bind(
                VerifyStage.BEAN_NAME,
                new VerifyStage(
                        jobs,
                        new UsbVerifier(),
                        new StickLabeler(settings.sticks().setLabel()),
                        liveRuns,
                        settings.progressInterval(),
                        clock));
        registry.bind(
                JobOutcome.BEAN_NAME,
                new JobOutcome(
                        jobs,
                        mounts,
                        station,
                        new StickEjector(settings.sticks().eject()),
                        liveRuns,
                        settings.retryPolicy(),
                        metrics,
                        clock));
        registry.bind(
                JobsApi.BEAN_NAME,
                new JobsApi(
                        jobs,
                        liveRuns,
                        audit,
                        station,
                        metrics,
                        settings.recovery().stalledAfter(),
                        clock));
        registry.bind(
                BulkActions.BEAN_NAME,
                new BulkActions(
                        dataSource,
                        jobs,
                        liveRuns,
                        audit,
                        metrics,
                        settings.api().bulkBatchSize()));
        registry.bind(ApiErrors.BEAN_NAME, new ApiErrors());

        PipelineHealth health =
                new PipelineHealth(
                        jobs, dataSource, brokerConnections, mounts, settings.health(), clock);
        registry.bind(PipelineHealth.BEAN_NAME, health);
        // Readiness checks, found in the registry by camel-health: whether this instance can work.
        registry.bind(
                "databaseHealthCheck", new PartHealthCheck("database", health::databaseProblem));
        registry.bind("brokerHealthCheck", new PartHealthCheck("broker", health::brokerProblem));
        registry.bind("usbMountsHealthCheck", new UsbMountsHealthCheck(health));
        // The verdict (success rate, stalled jobs, backlog) is no readiness check: a burst of bad
        // orders
        // must not take healthy instances out of the load balancer. It shows in /api/health and
        // metrics.
        metrics.watchVerdict(() -> health.evaluate().status());
        LiveEvents events = new LiveEvents();
        registry.bind(LiveEvents.BEAN_NAME, events);
        registry.bind(ChangeFeed.BEAN_NAME, new ChangeFeed(dataSource));
        context.addStartupListener(
                new ApiServerSetup(
                        new HttpGate(
                                settings.api().tokens(),
                                settings.api().tokenForReads(),
                                settings.api().allowedHosts()),
                        events));
    }

    /**
     * The registry /observe/metrics scrapes: camel-micrometer-prometheus binds it early; otherwise
     * it finds this one.
     */
    private static MeterRegistry meterRegistry(Registry registry) {
        MeterRegistry existing =
                registry.lookupByNameAndType(METRICS_REGISTRY, MeterRegistry.class);
        if (existing != null) {
            return existing;
        }
        PrometheusMeterRegistry created = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.bind(METRICS_REGISTRY, created);
        return created;
    }

    /**
     * One pool of broker connections for all consumers and producers; a bare factory connects per
     * send.
     */
    private static JmsPoolConnectionFactory connectionPool(PipelineSettings settings) {
        ActiveMQConnectionFactory broker =
                new ActiveMQConnectionFactory(
                        settings.broker().url(),
                        settings.broker().user(),
                        settings.broker().password());
        // Take one message at a time: a worker that buffered job messages would sit on them while
        // others idle.
        broker.setConsumerWindowSize(0);
        // Each send would otherwise ask the broker twice or three times whether its queue exists.
        broker.setCacheDestinations(true);
        // A blocking call (a send, a commit) on a broker that went silent fails after this, instead
        // of
        // hanging its thread (and an HTTP caller, who gets a 503) for the default 30 s.
        broker.setCallTimeout(BROKER_CALL_TIMEOUT_MS);
        // With a failover URL (ha=true, reconnectAttempts) a call made while the client fails over
        // waits
        // at most as long too, instead of 30 s (or for ever, while a lone broker stays away).
        broker.setCallFailoverTimeout(BROKER_CALL_TIMEOUT_MS);
        JmsPoolConnectionFactory pool = new JmsPoolConnectionFactory();
        pool.setConnectionFactory(broker);
        pool.setMaxConnections(settings.broker().maxConnections());
        return pool;
    }

    /** Something Camel does not own, stopped with the context. */
    private static final class StopAction extends ServiceSupport {
        private final Runnable stop;

        StopAction(Runnable stop) {
            this.stop = stop;
        }

        @Override
        protected void doStop() {
            stop.run();
        }
    }
}
