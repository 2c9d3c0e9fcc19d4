package shop.usb.pipeline;

import java.nio.file.Path;
import shop.usb.pipeline.support.TestDatabase;

class FailureSemanticsPostgresTest extends FailureSemanticsTest {

    @Override
    TestDatabase database(Path root) {
        return TestDatabase.postgres();
    }
}
