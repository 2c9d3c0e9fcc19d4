package shop.usb.pipeline;

import java.nio.file.Path;
import shop.usb.pipeline.support.TestDatabase;

class FailureSemanticsH2Test extends FailureSemanticsTest {

    @Override
    TestDatabase database(Path root) {
        return TestDatabase.h2(root.resolve("db"));
    }
}
