package shop.usb.pipeline;

import org.apache.camel.main.Main;
import shop.usb.pipeline.platform.ErrorHandling;
import shop.usb.pipeline.platform.PipelineConfiguration;

/** Starts the product: {@code java -jar target/usb-order-pipeline.jar}. */
public final class PipelineApplication {

    static final String PROPERTIES = "classpath:config/application.properties";

    private PipelineApplication() {
    }

    public static void main(String... args) throws Exception {
        System.exit(create().run(args));
    }

    /** The product's camel-main, configured but not started; tests start the same one. */
    public static Main create() {
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation(PROPERTIES);
        main.configure().addConfiguration(new PipelineConfiguration());
        main.configure().addRoutesBuilder(new ErrorHandling());
        return main;
    }
}
