package shop.usb.pipeline.ops;

import java.nio.file.Path;
import shop.usb.pipeline.support.TestDatabase;

class JobsApiPostgresTest extends JobsApiTest {

    @Override
    TestDatabase database(Path root) {
        return TestDatabase.postgres();
    }
}
