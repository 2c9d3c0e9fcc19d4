package shop.usb.pipeline.ops;

import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import shop.usb.pipeline.station.UsbStation;
import shop.usb.pipeline.station.UsbStation.SlotView;

/** The station's slots over HTTP: what each holds, and the operator's release after a swap. */
public class SlotsApi {

    public static final String BEAN_NAME = "slotsApi";

    private final UsbStation station;
    private final AuditTrail audit;

    public SlotsApi(UsbStation station, AuditTrail audit) {
        this.station = station;
        this.audit = audit;
    }

    /** GET /api/slots */
    public List<SlotView> list() {
        return station.views();
    }

    /**
     * POST /api/slots/{slot}/release: 200 with the slot; 409 while it writes; 404 for an unknown
     * slot.
     */
    public SlotView release(
            @Header("slot") String slot,
            @Header(HttpGate.ACTOR_HEADER) String actor,
            Exchange exchange) {
        exchange.getMessage().getHeaders().clear();
        SlotView released =
                audit.record(
                        actor,
                        "slot.release",
                        slot,
                        () -> {
                            try {
                                return station.release(slot);
                            } catch (UsbStation.UnknownSlotException unknown) {
                                throw ApiProblem.notFound("Slot '" + slot + "'");
                            } catch (UsbStation.SlotBusyException busy) {
                                throw new ApiProblem(409, "CONFLICT", busy.getMessage(), List.of());
                            }
                        },
                        view -> "RELEASED");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        return released;
    }
}
