package shop.usb.pipeline;

import java.nio.file.Path;
import shop.usb.pipeline.support.TestDatabase;

class JobRecoveryH2Test extends JobRecoveryTest {

    @Override
    TestDatabase database(Path root) {
        return TestDatabase.h2(root.resolve("db"));
    }
}
