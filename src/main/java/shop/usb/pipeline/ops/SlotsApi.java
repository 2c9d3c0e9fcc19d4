package shop.usb.pipeline.ops;

import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import shop.usb.pipeline.station.SlotRelease;
import shop.usb.pipeline.station.SlotViews;
import shop.usb.pipeline.station.SlotViews.SlotView;

/** The station's slots over HTTP: what each holds, and the operator's release after a swap. */
public class SlotsApi {

    public static final String BEAN_NAME = "slotsApi";

    private final SlotViews views;
    private final SlotRelease release;
    private final AuditTrail audit;

    public SlotsApi(SlotViews views, SlotRelease release, AuditTrail audit) {
        this.views = views;
        this.release = release;
        this.audit = audit;
    }

    /** GET /api/slots */
    public List<SlotView> list() {
        return views.views();
    }

    /**
     * POST /api/slots/{slot}/release: 200 with the slot; 409 while it writes; 404 for an unknown
     * slot.
     */
    public SlotView release(@Header("slot") String slot, Exchange exchange) {
        String actor = HttpGate.actorOf(exchange);
        exchange.getMessage().getHeaders().clear();
        SlotView released =
                audit.record(
                        actor,
                        "slot.release",
                        slot,
                        () -> {
                            try {
                                return release.release(slot);
                            } catch (SlotRelease.UnknownSlotException unknown) {
                                throw ApiProblem.notFound("Slot '" + slot + "'");
                            } catch (SlotRelease.SlotBusyException busy) {
                                throw new ApiProblem(409, "CONFLICT", busy.getMessage(), List.of());
                            }
                        },
                        view -> "RELEASED");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        return released;
    }
}
