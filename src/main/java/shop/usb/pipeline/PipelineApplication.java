package shop.usb.pipeline;

import org.apache.camel.main.Main;
import shop.usb.pipeline.platform.PipelineConfiguration;

/**
 * Starts the product: {@code java -jar target/usb-order-pipeline.jar}. camel-main reads
 * application.properties from the classpath, and with CAMEL_MAIN_PROFILE=prod (or
 * -Dcamel.main.profile=prod) application-prod.properties before it.
 */
public final class PipelineApplication {

    private PipelineApplication() {}

    public static void main(String... args) throws Exception {
        System.exit(create().run(args));
    }

    /** The product's camel-main, configured but not started; tests start the same one. */
    public static Main create() {
        Main main = new Main();
        main.configure().addConfiguration(new PipelineConfiguration());
        return main;
    }
}
