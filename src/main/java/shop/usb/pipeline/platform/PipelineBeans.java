package shop.usb.pipeline.platform;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import shop.usb.pipeline.content.ContentDigests;
import shop.usb.pipeline.content.ContentLibrary;
import shop.usb.pipeline.device.PrivilegedCommands;
import shop.usb.pipeline.device.StickEjector;
import shop.usb.pipeline.device.StickLabeler;
import shop.usb.pipeline.device.StickSizes;
import shop.usb.pipeline.health.PartHealthCheck;
import shop.usb.pipeline.health.PipelineHealth;
import shop.usb.pipeline.health.UsbMountsHealthCheck;
import shop.usb.pipeline.intake.OrderConfirmationValidator;
import shop.usb.pipeline.intake.OrderIntake;
import shop.usb.pipeline.intake.OrderSubmission;
import shop.usb.pipeline.intake.manifest.ManifestIntake;
import shop.usb.pipeline.job.FollowUps;
import shop.usb.pipeline.job.InterruptedRuns;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobReads;
import shop.usb.pipeline.job.JobStatistics;
import shop.usb.pipeline.job.OverdueJobs;
import shop.usb.pipeline.job.RetentionPolicy;
import shop.usb.pipeline.job.RunRecord;
import shop.usb.pipeline.job.StatusOutbox;
import shop.usb.pipeline.lease.LeaseEnds;
import shop.usb.pipeline.lease.Leases;
import shop.usb.pipeline.lease.Reclaimer;
import shop.usb.pipeline.metrics.CachedStatusCounts;
import shop.usb.pipeline.metrics.PipelineMetrics;
import shop.usb.pipeline.ops.ApiErrors;
import shop.usb.pipeline.ops.ApiServerSetup;
import shop.usb.pipeline.ops.AuditTrail;
import shop.usb.pipeline.ops.ChangeFeed;
import shop.usb.pipeline.ops.DashboardCharts;
import shop.usb.pipeline.ops.HttpGate;
import shop.usb.pipeline.ops.JobsApi;
import shop.usb.pipeline.ops.LiveEvents;
import shop.usb.pipeline.ops.SlotsApi;
import shop.usb.pipeline.ops.StatusEventsApi;
import shop.usb.pipeline.run.JobRecovery;
import shop.usb.pipeline.run.LiveRuns;
import shop.usb.pipeline.run.Runs;
import shop.usb.pipeline.stage.JobClaimer;
import shop.usb.pipeline.stage.JobOutcome;
import shop.usb.pipeline.stage.SelectContentStage;
import shop.usb.pipeline.stage.ValidateStage;
import shop.usb.pipeline.stage.VerifyStage;
import shop.usb.pipeline.stage.WriteUsbStage;
import shop.usb.pipeline.station.SlotAllocator;
import shop.usb.pipeline.station.SlotRelease;
import shop.usb.pipeline.station.SlotStore;
import shop.usb.pipeline.station.SlotViews;
import shop.usb.pipeline.station.Station;
import shop.usb.pipeline.station.StationWatch;
import shop.usb.pipeline.station.StickFit;
import shop.usb.pipeline.station.WaitingJobDispatch;
import shop.usb.pipeline.transfer.StickReverifier;
import shop.usb.pipeline.transfer.UsbVerifier;
import shop.usb.pipeline.transfer.UsbWriter;

/**
 * The beans the routes call by name, built on the infrastructure: the jobs, the USB station,
 * intake, the stages, health and the API.
 */
final class PipelineBeans {

    /** Digests of library files by content version: 20,000 entries take about 10 MB of heap. */
    private static final int CONTENT_DIGESTS = 20_000;

    private final CamelContext context;
    private final Registry registry;
    private final PipelineSettings settings;
    private final DataSource dataSource;
    private final Infrastructure infrastructure;
    private final Clock clock;
    private final JobLifecycle jobs;
    private final RunRecord record;
    private final JobReads reads;
    private final JobStatistics statistics;

    PipelineBeans(
            CamelContext context,
            PipelineSettings settings,
            Infrastructure infrastructure,
            Clock clock) {
        this.context = context;
        this.registry = context.getRegistry();
        this.settings = settings;
        this.dataSource = infrastructure.dataSource();
        this.infrastructure = infrastructure;
        this.clock = clock;
        this.jobs = new JobLifecycle(dataSource, settings.instanceId(), clock);
        this.record =
                new RunRecord(
                        dataSource, settings.instanceId(), settings.progressInterval(), clock);
        this.reads = new JobReads(dataSource);
        this.statistics = new JobStatistics(dataSource);
    }

    void bind(Station station) throws Exception {
        ObjectMapper mapper = OrderConfirmationValidator.parser(settings.intake().maxBytes());
        AuditTrail audit = bind(AuditTrail.BEAN_NAME, new AuditTrail(dataSource, clock));
        PipelineMetrics metrics =
                bind(
                        PipelineMetrics.BEAN_NAME,
                        new PipelineMetrics(
                                infrastructure.meterRegistry(),
                                new CachedStatusCounts(statistics, clock),
                                settings.usb().mounts(),
                                clock));
        OrderConfirmationValidator validator =
                bind(
                        OrderConfirmationValidator.BEAN_NAME,
                        new OrderConfirmationValidator(mapper, settings.intake().orderLimits()));
        ContentLibrary library =
                bind(
                        ContentLibrary.BEAN_NAME,
                        new ContentLibrary(
                                settings.folders().contentDir(), settings.intake().orderLimits()));
        LiveRuns liveRuns = new LiveRuns(record, context, settings.recovery().stalledAfter());
        Leases leases = new Leases(station.id(), dataSource);
        LeaseEnds leaseEnds = new LeaseEnds();
        Reclaimer reclaimer =
                new Reclaimer(
                        leases,
                        station.probe(),
                        station.kind(),
                        leaseEnds,
                        liveRuns::isAlive,
                        dataSource);
        SlotStore slots =
                new SlotStore(
                        station,
                        dataSource,
                        new StatusOutbox(dataSource, settings.instanceId(), clock),
                        settings.sticks().faultyAfter());
        StickFit fit =
                new StickFit(
                        station.kind(),
                        new StickSizes(
                                settings.sticks().sizeTolerance(), settings.sticks().allowLarger()),
                        settings.sticks().stock());
        SlotViews views = bindStation(station, slots, fit, reclaimer, audit);
        SlotAllocator allocator =
                new SlotAllocator(
                        station,
                        slots,
                        fit,
                        leases,
                        reclaimer,
                        leaseEnds,
                        settings.usb().allocationTimeout(),
                        settings.usb().reserveBytes(),
                        clock);
        bindJobs(liveRuns, reclaimer, metrics);
        bindIntake(validator, library, mapper, metrics);
        ContentDigests digests = new ContentDigests(CONTENT_DIGESTS);
        UsbWriter writer = new UsbWriter(digests);
        bindStages(
                validator,
                library,
                digests,
                writer,
                station,
                new Runs(
                        settings.instanceId(),
                        jobs,
                        record,
                        liveRuns,
                        allocator,
                        leases,
                        reclaimer,
                        leaseEnds,
                        slots,
                        writer,
                        metrics,
                        settings.progressInterval(),
                        clock),
                metrics);
        StickReverifier reverifier =
                bind(
                        StickReverifier.BEAN_NAME,
                        new StickReverifier(jobs, station.probe(), new UsbVerifier()));
        StatusEventBeans.Bound statusEvents =
                StatusEventBeans.bind(
                        registry, settings, dataSource, infrastructure.meterRegistry(), clock);
        bindApi(liveRuns, audit, views, reverifier, metrics, statusEvents);
        bindHealth(allocator, metrics);
    }

    /**
     * The station's slots: the watch and the waiting jobs' dispatch, and what the operator and the
     * dashboard ask of them.
     */
    private SlotViews bindStation(
            Station station, SlotStore slots, StickFit fit, Reclaimer reclaimer, AuditTrail audit) {
        StationWatch watch =
                bind(
                        StationWatch.BEAN_NAME,
                        new StationWatch(
                                station,
                                slots,
                                fit,
                                reclaimer,
                                new WaitingJobDispatch(
                                        station,
                                        slots,
                                        fit,
                                        jobs,
                                        dataSource,
                                        settings.usb().reserveBytes()),
                                settings.sticks().wipe()));
        SlotViews views = new SlotViews(station, slots);
        bind(
                SlotsApi.BEAN_NAME,
                new SlotsApi(
                        views,
                        new SlotRelease(
                                station,
                                slots,
                                watch,
                                views,
                                reclaimer,
                                settings.folders().dataDir().resolve("delivered")),
                        audit));
        return views;
    }

    /**
     * Every job bean is bound here: the state machine, its reads and figures, the live runs,
     * recovery, the lost messages' re-send and retention.
     */
    private void bindJobs(LiveRuns liveRuns, Reclaimer reclaimer, PipelineMetrics metrics)
            throws Exception {
        // Stopped after the routes: runs finishing during a graceful shutdown keep beating.
        context.addService(liveRuns, true, true);
        bind(JobLifecycle.BEAN_NAME, jobs);
        bind(JobReads.BEAN_NAME, reads);
        bind(JobStatistics.BEAN_NAME, statistics);
        bind(LiveRuns.BEAN_NAME, liveRuns);
        bind(FollowUps.BEAN_NAME, new FollowUps());
        bind(
                JobRecovery.BEAN_NAME,
                new JobRecovery(
                        new InterruptedRuns(dataSource, settings.instanceId(), clock),
                        liveRuns,
                        reclaimer,
                        settings.retryPolicy(),
                        settings.instanceId(),
                        settings.recovery().stalledAfter(),
                        metrics,
                        clock));
        bind(
                OverdueJobs.BEAN_NAME,
                new OverdueJobs(
                        settings.recovery().overdueAfter(),
                        settings.recovery().queuedOverdueAfter()));
        bind(
                RetentionPolicy.BEAN_NAME,
                new RetentionPolicy(
                        settings.retention().jobsKeptFor(),
                        settings.retention().auditKeptFor(),
                        settings.retention().eventsKeptFor(),
                        settings.retention().batchSize(),
                        clock));
    }

    /** Orders from JMS, HTTP and manifest files. */
    private void bindIntake(
            OrderConfirmationValidator validator,
            ContentLibrary library,
            ObjectMapper mapper,
            PipelineMetrics metrics)
            throws Exception {
        bind(
                OrderIntake.BEAN_NAME,
                new OrderIntake(jobs, reads, validator, settings.intake().maxBytes(), metrics));
        bind(OrderSubmission.BEAN_NAME, new OrderSubmission(validator));
        ManifestIntake manifests =
                new ManifestIntake(
                        settings.folders().manifestDir(),
                        settings.instanceId(),
                        validator,
                        library,
                        reads,
                        jobs,
                        metrics,
                        mapper,
                        settings.intake().maxBytes(),
                        clock);
        bind(ManifestIntake.BEAN_NAME, manifests);
        context.addService(manifests, true, true);
    }

    /** A job's run: claimed, then validate, select content, write, verify, and its outcome. */
    private void bindStages(
            OrderConfirmationValidator validator,
            ContentLibrary library,
            ContentDigests digests,
            UsbWriter writer,
            Station station,
            Runs runs,
            PipelineMetrics metrics) {
        bind(Runs.BEAN_NAME, runs);
        bind(JobClaimer.BEAN_NAME, new JobClaimer(runs, jobs, clock));
        bind(ValidateStage.BEAN_NAME, new ValidateStage(validator, library));
        bind(SelectContentStage.BEAN_NAME, new SelectContentStage(digests));
        bind(WriteUsbStage.BEAN_NAME, new WriteUsbStage(writer, metrics));
        bind(
                VerifyStage.BEAN_NAME,
                new VerifyStage(
                        new UsbVerifier(),
                        new StickLabeler(
                                settings.sticks().setLabel(),
                                new PrivilegedCommands(settings.usb().mounting().helper()))));
        bind(
                JobOutcome.BEAN_NAME,
                new JobOutcome(
                        new StickEjector(settings.sticks().eject(), station.ports()),
                        settings.retryPolicy(),
                        metrics,
                        clock));
    }

    /** The operator's API and the live events; its gate is in place before the first route. */
    private void bindApi(
            LiveRuns liveRuns,
            AuditTrail audit,
            SlotViews slots,
            StickReverifier reverifier,
            PipelineMetrics metrics,
            StatusEventBeans.Bound statusEvents)
            throws Exception {
        bind(StatusEventsApi.BEAN_NAME, new StatusEventsApi(statusEvents.webhook(), audit));
        bind(
                JobsApi.BEAN_NAME,
                new JobsApi(
                        jobs,
                        reads,
                        statistics,
                        liveRuns,
                        audit,
                        slots,
                        reverifier,
                        metrics,
                        statusEvents.relay(),
                        settings.recovery().stalledAfter(),
                        clock));
        BulkOperationBeans.bind(
                registry, settings.api(), dataSource, jobs, reads, liveRuns, audit, metrics);
        bind(ApiErrors.BEAN_NAME, new ApiErrors());
        bind(DashboardCharts.BEAN_NAME, new DashboardCharts(statistics, metrics, slots));
        LiveEvents events = bind(LiveEvents.BEAN_NAME, new LiveEvents(settings.api().events()));
        bind(ChangeFeed.BEAN_NAME, new ChangeFeed(dataSource));
        context.addStartupListener(
                new ApiServerSetup(
                        new HttpGate(
                                settings.api().tokens(),
                                settings.api().tokenForReads(),
                                settings.api().allowedHosts()),
                        events));
    }

    /** The pipeline's verdict, and the readiness checks camel-health finds in the registry. */
    private void bindHealth(SlotAllocator mounts, PipelineMetrics metrics) {
        PipelineHealth health =
                bind(
                        PipelineHealth.BEAN_NAME,
                        new PipelineHealth(
                                statistics,
                                dataSource,
                                infrastructure.brokerWatch(),
                                mounts,
                                settings.health(),
                                clock));
        // Readiness: whether this instance can work.
        bind("databaseHealthCheck", new PartHealthCheck("database", health::databaseProblem));
        bind("brokerHealthCheck", new PartHealthCheck("broker", health::brokerProblem));
        bind("usbMountsHealthCheck", new UsbMountsHealthCheck(health));
        // The verdict (success rate, stalled jobs, backlog) is no readiness check: a burst of bad
        // orders must not take healthy instances out of the load balancer. It shows in
        // /api/health and metrics.
        metrics.watchVerdict(() -> health.evaluate().status().ordinal());
    }

    private <T> T bind(String name, T bean) {
        registry.bind(name, bean);
        return bean;
    }
}
