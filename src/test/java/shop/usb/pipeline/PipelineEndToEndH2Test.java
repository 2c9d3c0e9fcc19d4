package shop.usb.pipeline;

import java.nio.file.Path;
import shop.usb.pipeline.support.TestDatabase;

class PipelineEndToEndH2Test extends PipelineEndToEndTest {

    @Override
    TestDatabase database(Path root) {
        return TestDatabase.h2(root.resolve("db"));
    }
}
