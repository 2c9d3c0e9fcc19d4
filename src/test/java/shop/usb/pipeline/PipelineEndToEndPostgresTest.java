package shop.usb.pipeline;

import java.nio.file.Path;
import shop.usb.pipeline.support.TestDatabase;

class PipelineEndToEndPostgresTest extends PipelineEndToEndTest {

    @Override
    TestDatabase database(Path root) {
        return TestDatabase.postgres();
    }
}
