package shop.usb.pipeline.intake.manifest;

import java.nio.file.Path;
import shop.usb.pipeline.support.TestDatabase;

class ManifestIntakeH2Test extends ManifestIntakeTest {

    @Override
    TestDatabase database(Path root) {
        return TestDatabase.h2(root.resolve("db"));
    }
}
