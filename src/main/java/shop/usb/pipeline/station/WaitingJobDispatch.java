package shop.usb.pipeline.station;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import shop.usb.pipeline.device.Slot;
import shop.usb.pipeline.device.Stick;
import shop.usb.pipeline.job.FollowUp;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobLifecycle.WaitingJob;

/**
 * Jobs that wait for a stick get one as it becomes READY: for each READY stick, in slot order, the
 * waiting job it fits that comes first (the highest priority, then the oldest). In one transaction
 * the stick is kept for the job (WRITING) and the job is queued again; its run takes that stick.
 */
public class WaitingJobDispatch {

    private static final Logger LOG = LoggerFactory.getLogger(WaitingJobDispatch.class);

    /** Waiting jobs looked at per scan: more than a station has slots. */
    private static final int DISPATCH_BATCH = 200;

    private final Station station;
    private final SlotStore slots;
    private final StickFit fit;
    private final JobLifecycle jobs;
    private final TransactionTemplate transaction;
    private final long reserveBytes;

    /** {@code reserveBytes}: free space a stick keeps beyond an order's planned bytes. */
    public WaitingJobDispatch(
            Station station,
            SlotStore slots,
            StickFit fit,
            JobLifecycle jobs,
            DataSource dataSource,
            long reserveBytes) {
        this.reserveBytes = reserveBytes;
        this.station = station;
        this.slots = slots;
        this.fit = fit;
        this.jobs = jobs;
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    /** Keeps READY sticks for waiting jobs; returns the job messages to send. */
    List<FollowUp> dispatch() {
        List<SlotRow> ready = new ArrayList<>();
        Map<String, SlotRow> rows = slots.rows();
        for (Slot slot : station.slots()) {
            SlotRow row = rows.get(slot.name());
            if (row != null && row.state() == SlotState.READY && row.stickId() != null) {
                ready.add(row);
            }
        }
        if (ready.isEmpty()) {
            return List.of();
        }
        List<WaitingJob> waiting = new ArrayList<>(jobs.findWaiting(DISPATCH_BATCH));
        List<FollowUp> followUps = new ArrayList<>();
        for (SlotRow row : ready) {
            Stick stick = row.stick();
            for (WaitingJob job : waiting) {
                if (fit.canTake(stick, job) && hasRoom(row, job) && keepFor(row, job)) {
                    LOG.info(
                            "Slot {}: stick {} kept for waiting job {} (order {}, {})",
                            row.slot(),
                            stick.id(),
                            job.id(),
                            job.orderId(),
                            job.priority());
                    followUps.add(FollowUp.runOn(station.id(), job.id(), job.priority()));
                    waiting.remove(job);
                    break;
                }
            }
        }
        return followUps;
    }

    /**
     * A stick of the size class whose filesystem cannot hold the order now is not kept for it: its
     * run would find no room and the job would wait again, at every scan.
     */
    private boolean hasRoom(SlotRow row, WaitingJob job) {
        return station.slot(row.slot())
                .map(
                        slot ->
                                station.lacksRoom(
                                                slot,
                                                row.stick(),
                                                job.bytesPlanned() + reserveBytes)
                                        == null)
                .orElse(false);
    }

    private boolean keepFor(SlotRow row, WaitingJob job) {
        return Boolean.TRUE.equals(
                transaction.execute(
                        status -> {
                            boolean kept =
                                    slots.reserve(row, job.id(), job.orderId())
                                            && jobs.dispatchWaiting(job.id());
                            if (!kept) {
                                status.setRollbackOnly();
                            }
                            return kept;
                        }));
    }
}
