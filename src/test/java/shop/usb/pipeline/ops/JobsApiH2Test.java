package shop.usb.pipeline.ops;

import java.nio.file.Path;
import shop.usb.pipeline.support.TestDatabase;

class JobsApiH2Test extends JobsApiTest {

    @Override
    TestDatabase database(Path root) {
        return TestDatabase.h2(root.resolve("db"));
    }
}
