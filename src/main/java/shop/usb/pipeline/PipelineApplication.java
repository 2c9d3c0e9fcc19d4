package shop.usb.pipeline;

import org.apache.camel.main.Main;
import org.apache.camel.main.MainHelper;
import shop.usb.pipeline.platform.PipelineConfiguration;

/** Starts the product: {@code java -jar target/usb-order-pipeline.jar}. */
public final class PipelineApplication {

    static final String PROPERTIES = "classpath:config/application.properties";

    /**
     * CAMEL_MAIN_PROFILE=prod (or -Dcamel.main.profile=prod) adds
     * config/application-prod.properties.
     */
    static final String PROFILE = "camel.main.profile";

    private PipelineApplication() {}

    public static void main(String... args) throws Exception {
        System.exit(create().run(args));
    }

    /** The product's camel-main, configured but not started; tests start the same one. */
    public static Main create() {
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation(
                propertyLocations(MainHelper.lookupPropertyFromSysOrEnv(PROFILE).orElse(null)));
        main.configure().addConfiguration(new PipelineConfiguration());
        return main;
    }

    /**
     * The profile's file comes first: Camel takes a property from the first location that has it.
     */
    static String propertyLocations(String profile) {
        return profile == null || profile.isBlank()
                ? PROPERTIES
                : "classpath:config/application-" + profile.trim() + ".properties," + PROPERTIES;
    }
}
