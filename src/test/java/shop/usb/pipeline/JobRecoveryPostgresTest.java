package shop.usb.pipeline;

import java.nio.file.Path;
import shop.usb.pipeline.support.TestDatabase;

class JobRecoveryPostgresTest extends JobRecoveryTest {

    @Override
    TestDatabase database(Path root) {
        return TestDatabase.postgres();
    }
}
