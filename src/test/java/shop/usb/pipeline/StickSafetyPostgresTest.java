package shop.usb.pipeline;

import java.nio.file.Path;
import shop.usb.pipeline.support.TestDatabase;

class StickSafetyPostgresTest extends StickSafetyTest {

    @Override
    TestDatabase database(Path root) {
        return TestDatabase.postgres();
    }
}
