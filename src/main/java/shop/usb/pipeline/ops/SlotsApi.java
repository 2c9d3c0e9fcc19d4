package shop.usb.pipeline.ops;

import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.Header;
import shop.usb.pipeline.usb.UsbStation;
import shop.usb.pipeline.usb.UsbStation.SlotView;

/** The station's slots over HTTP: what each holds, and the operator's release after a swap. */
public class SlotsApi {

    public static final String BEAN_NAME = "slotsApi";

    private final UsbStation station;

    public SlotsApi(UsbStation station) {
        this.station = station;
    }

    /** GET /api/slots */
    public List<SlotView> list() {
        return station.views();
    }

    /** POST /api/slots/{slot}/release: 200 with the slot; 409 while it writes; 404 for an unknown slot. */
    public SlotView release(@Header("slot") String slot, Exchange exchange) {
        exchange.getMessage().getHeaders().clear();
        try {
            SlotView released = station.release(slot);
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            return released;
        } catch (UsbStation.UnknownSlotException unknown) {
            throw ApiProblem.notFound("Slot '" + slot + "'");
        } catch (UsbStation.SlotBusyException busy) {
            throw new ApiProblem(409, "CONFLICT", busy.getMessage(), List.of());
        }
    }
}
