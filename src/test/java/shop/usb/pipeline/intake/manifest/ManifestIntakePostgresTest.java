package shop.usb.pipeline.intake.manifest;

import java.nio.file.Path;
import shop.usb.pipeline.support.TestDatabase;

class ManifestIntakePostgresTest extends ManifestIntakeTest {

    @Override
    TestDatabase database(Path root) {
        return TestDatabase.postgres();
    }
}
