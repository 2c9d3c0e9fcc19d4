package shop.usb.pipeline.platform;

import java.time.Clock;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import shop.usb.pipeline.station.Station;

/**
 * Wires the product in the order it starts: the settings, the station (which refuses to start on
 * ports it cannot mount, before anything else has begun), the infrastructure (database, broker,
 * JMS), then the beans the routes call by name. Runs before any route starts, so the schema is
 * migrated and the embedded broker is up when consumers connect.
 */
public class PipelineConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        StartupPhases phases = StartupPhases.begin(context);
        PipelineSettings settings = PipelineSettings.from(context);
        context.getRegistry().bind(PipelineSettings.BEAN_NAME, settings);
        Station station = Stations.of(settings);
        Infrastructure infrastructure = Infrastructure.start(context, settings);
        new PipelineBeans(context, settings, infrastructure, Clock.systemUTC()).bind(station);
        phases.configured();
    }
}
