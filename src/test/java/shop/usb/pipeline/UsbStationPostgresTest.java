package shop.usb.pipeline;

import java.nio.file.Path;
import shop.usb.pipeline.support.TestDatabase;

class UsbStationPostgresTest extends UsbStationTest {

    @Override
    TestDatabase database(Path root) {
        return TestDatabase.postgres();
    }
}
